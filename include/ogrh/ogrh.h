/*
** ogrh/ogrh.h
** Everything: include this one header to use the library.
*/
#ifndef OGRH_OGRH_H
#define OGRH_OGRH_H

#define OGRH_VERSION "0.1.0"

#include "ogrh/error.h"
#include "ogrh/alloc.h"
#include "ogrh/util.h"
#include "ogrh/value.h"
#include "ogrh/svfile.h"
#include "ogrh/doc.h"
#include "ogrh/plan.h"
#include "ogrh/json.h"
#include "ogrh/gen.h"
#include "ogrh/digest.h"
#include "ogrh/validate.h"
#include "ogrh/backup.h"
#include "ogrh/migrate.h"
#include "ogrh/codec.h"
#include "ogrh/wire.h"
#include "ogrh/throttle.h"
#include "ogrh/router.h"
#include "ogrh/roster.h"
#include "ogrh/node.h"

#endif
