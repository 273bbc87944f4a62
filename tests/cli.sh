echo cli placeholder
