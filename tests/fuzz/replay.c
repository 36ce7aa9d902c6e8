/* replay: runs a fuzz target without libFuzzer, on each file named and each file of each
 * folder named (not recursing), in name order -- the seed corpus and the regression
 * inputs in every build (meson test fuzz_<target>), so gcc and the ASan build check them
 * too. A crash or a failed check aborts; no input at all is a failure too. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem;
    char chunk[65536];
    size_t n;
    if (!fp) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    mem = open_memstream(&buf, &len);
    FUZZ_CHECK(mem != NULL);
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        FUZZ_CHECK(fwrite(chunk, 1, n, mem) == n);
    FUZZ_CHECK(!ferror(fp) && fclose(mem) == 0);
    fclose(fp);
    /* A copy of the exact size, so ASan sees a read past the input's end. */
    uint8_t *data = malloc(len ? len : 1);
    FUZZ_CHECK(data != NULL);
    memcpy(data, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    long files = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        struct dirent **names;
        if (stat(argv[i], &sb) != 0) {
            /* A target without regression inputs yet has no regress/ folder. */
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            bad |= run_file(argv[i]) < 0;
            files++;
            continue;
        }
        int n = scandir(argv[i], &names, NULL, by_name);
        FUZZ_CHECK(n >= 0);
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
            if (names[k]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                bad |= run_file(path) < 0;
                files++;
            }
            free(names[k]);
        }
        free(names);
    }
    printf("replay: %ld inputs\n", files);
    if (files == 0)
        fprintf(stderr, "replay: no input found (a target needs a seed corpus)\n");
    return bad || files == 0;
}
