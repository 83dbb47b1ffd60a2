/* Error codes: names and messages generated from the one table in base.h. */
#include "stad/base.h"

const char *stad_strerror(int code)
{
    switch (code) {
    case STAD_OK: return "success";
#define STAD_ERR_MSG_(name, c, msg) case c: return msg;
    STAD_ERRORS(STAD_ERR_MSG_)
#undef STAD_ERR_MSG_
    default: return "unknown error";
    }
}

const char *stad_err_name(int code)
{
    switch (code) {
    case STAD_OK: return "STAD_OK";
#define STAD_ERR_NAME_(name, c, msg) case c: return "STAD_E" #name;
    STAD_ERRORS(STAD_ERR_NAME_)
#undef STAD_ERR_NAME_
    default: return "STAD_EUNKNOWN";
    }
}
