/*
 * replay_cmd: `mmusim replay [OPTIONS] FILE` (see replay_cmd.c).
 */
#ifndef SIM_REPLAY_CMD_H
#define SIM_REPLAY_CMD_H

/* argv[0] is "replay".  Returns the exit status. */
int cmd_replay(int argc, char **argv);

#endif
