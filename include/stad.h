/* stad: steering information from a municipality's own files. The public API. */
#ifndef STAD_H
#define STAD_H

#include "stad/base.h"
#include "stad/arena.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"
#include "stad/conf.h"
#include "stad/settings.h"
#include "stad/store.h"
#include "stad/geo.h"
#include "stad/ingest.h"
#include "stad/hotspot.h"
#include "stad/predict.h"
#include "stad/route.h"
#include "stad/bikes.h"
#include "stad/privacy.h"
#include "stad/opendata.h"
#include "stad/server.h"

#define STAD_VERSION "0.1.0"

#endif
