/*
 * progress.h — a one-line transfer progress display on stderr (bytes,
 * percent, rate, ETA), redrawn at most ten times per second.
 */
#ifndef FTPKIT_CLI_PROGRESS_H
#define FTPKIT_CLI_PROGRESS_H

#include <stdint.h>
#include <time.h>

struct progress {
  int enabled;
  int have_total;
  uint64_t total;  /* full size of the file, if known */
  uint64_t offset; /* bytes already present before (resume) */
  uint64_t done;   /* bytes moved by this transfer */
  struct timespec start, last_draw;
  int drawn;         /* a line is on the screen */
  size_t last_width; /* width of the last line, to blank leftovers */
};

/* 1 if a progress display should be shown (stderr is a TTY, not quiet,
 * no debug trace). */
int progress_wanted(int quiet, int debug);

/* Start: `total` < 0 when unknown; `offset` bytes were there before. */
void progress_start(struct progress *p, int enabled, int64_t total, uint64_t offset);

/* `n` more bytes moved; redraws if 100 ms passed since the last draw. */
void progress_add(struct progress *p, uint64_t n);

/* Draw the final state and end the line (if anything was drawn). */
void progress_end(struct progress *p);

#endif /* FTPKIT_CLI_PROGRESS_H */
