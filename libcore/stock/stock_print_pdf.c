/* stock_print_pdf: R-STK-9's optional PDF of a label page, printed by chromium when it is on
 * PATH (never required: the HTML page is the product). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stock_print.h"
#include "../xalloc.h"

/* chromium on PATH, malloc'd, or NULL. */
static char *find_chromium(void)
{
    const char *path = getenv("PATH");
    char *dirs = xstrdup(path ? path : ""), *save = NULL, *found = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *p = xasprintf("%s/chromium", *d ? d : ".");
        if (access(p, X_OK) == 0)
            found = p;
        else
            free(p);
    }
    free(dirs);
    return found;
}

int stock_print_pdf(const char *html, char **pdf, char **prog)
{
    char *opt, *url, *abs;
    size_t n = strlen(html);
    int status = -1, ok;
    pid_t pid;

    *pdf = NULL;
    if (!(*prog = find_chromium()))
        return 0;
    abs = realpath(html, NULL);
    *pdf = xasprintf("%.*s.pdf", (int)(n > 5 && !strcmp(html + n - 5, ".html") ? n - 5 : n), html);
    opt = xasprintf("--print-to-pdf=%s", *pdf);
    url = xasprintf("file://%s", abs ? abs : html);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execl(*prog, *prog, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--no-pdf-header-footer", opt, url, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && access(*pdf, R_OK) == 0;
    free(opt);
    free(url);
    free(abs);
    return ok ? 1 : -1;
}
