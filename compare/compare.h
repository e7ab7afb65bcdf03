/*
 * compare: the `mmusim compare` and `mmusim report` commands
 * (docs/compare.md).
 *
 *   mmusim compare [SUITE] -o DIR [-j N]      run what is not finished, then
 *                                             DIR/results.json and DIR/report.html
 *   mmusim compare [SUITE] -o DIR --emit-jobs parallel|slurm
 *                                             write the runs as jobs instead
 *   mmusim compare --merge DIR                results and report from what finished
 *   mmusim report A.json B.json ... [-o FILE] existing run reports side by side
 *
 * SUITE is a built-in name (default "designs") or a suite file; DIR keeps
 * a copy of it (DIR/suite.ini) for --merge.  Like lab/, compare/ runs
 * mmusim as a program and never includes sim/.
 */
#ifndef COMPARE_COMPARE_H
#define COMPARE_COMPARE_H

/* The exit status: 0 done, 1 some run failed, 2 usage, 65 a bad suite or
 * report file. */
int compare_main(int argc, char **argv);
int report_main(int argc, char **argv);

#endif
