/* The version of abusemomd and abusemom-ctl. */
#ifndef ABUSEMOM_VERSION_H
#define ABUSEMOM_VERSION_H

#define ABUSEMOM_VERSION	"0.1.0"

#endif
