/*
 * esr: the fields of the exception syndrome (ESR_ELx, Arm ARM D17.2.37)
 * that the emulator (sim/cpu) builds and the abort path (sim/abort) reads.
 * Constants only, so both can include it.
 */
#ifndef SIM_ESR_H
#define SIM_ESR_H

#include <stdint.h>

#define ESR_EC(esr)		((esr) >> 26)
#define EC_IABT_LOWER		0x20		/* instruction abort from EL0 */
#define EC_DABT_LOWER		0x24		/* data abort from EL0 */
#define ESR_IL			(UINT32_C(1) << 25)	/* 32-bit instruction */
#define ESR_FNV			(UINT32_C(1) << 10)	/* FAR not valid */
#define ESR_WNR			(UINT32_C(1) << 6)	/* write, not read */
#define ESR_FSC(esr)		((esr) & 0x3f)
#define FSC_TRANSLATION_L0	0x04
#define FSC_ALIGNMENT		0x21

#endif
