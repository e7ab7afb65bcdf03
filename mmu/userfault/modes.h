/*
 * modes: the table of every userfaultfd mode's hooks (struct
 * userfault_modes, userfault.h) that a context is made with:
 * write-protection (wp.h), MINOR (minor.h) and the events (events.h).
 * Whoever makes a context passes it to userfault_new; the core reaches the
 * modes only through it.
 */
#ifndef MMU_USERFAULT_MODES_H
#define MMU_USERFAULT_MODES_H

#include "mmu/userfault/userfault.h"

extern const struct userfault_modes userfault_modes;

#endif
