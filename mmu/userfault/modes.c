/*
 * modes: the hooks of every mode, in one table (see modes.h).
 */
#include "mmu/userfault/modes.h"

#include "mmu/userfault/events.h"
#include "mmu/userfault/minor.h"
#include "mmu/userfault/wp.h"

const struct userfault_modes userfault_modes = {
	.minor_fault = userfault_minor_fault,
	.continue_page = userfault_continue_page,
	.protect_page = userfault_wp_page,
	.change_modes = userfault_wp_clear,
	.release = userfault_events_release,
};
