/* afile: an output file that appears whole or not at all (issue 8 item 7's --rejects
 * FILE): written to a temporary file in FILE's folder, renamed over FILE by
 * afile_commit; afile_abort removes it and leaves an existing FILE as it was. */
#ifndef QS_AFILE_H
#define QS_AFILE_H

#include <stdio.h>

#include "err.h"

struct afile;

/* Opens a temporary file next to path (mode 0666 less the umask, like fopen "w") for
 * writing. QS_E_USAGE when path is the input file -- input names a file, or is "-" for
 * standard input, or is NULL for none -- compared by device and inode, so a symlink or
 * stdin redirected from it counts: writing there would empty the input. A path that
 * exists and is not a regular file (/dev/stdout, a pipe) is written directly. QS_E_IO
 * when the file cannot be created. */
int afile_open(const char *path, const char *input, struct afile **out, struct qs_err *e);
/* The stream to write to (valid until afile_commit or afile_abort). */
FILE *afile_fp(struct afile *a);
/* Flushes, syncs and closes the temporary file and renames it over the path; frees a.
 * Returns 0 or QS_E_IO (the temporary file is then removed). */
int afile_commit(struct afile *a, struct qs_err *e);
/* Closes and removes the temporary file, leaving the path as it was; frees a.
 * afile_abort(NULL) is a no-op. */
void afile_abort(struct afile *a);

#endif
