#!/bin/bash
# issue 10 item 6: libcore has no import circles -- no two files call each other, directly
# or around a ring (tests/libcore-dag.py reads the graph from the built library).
. "$(dirname "$0")/lib.sh"

lib="$QS_BUILD/libcore/libcore.a"

test_expect 'issue 10 item 6: the import graph of libcore is a DAG' '
    python3 "$QS_SRC/tests/libcore-dag.py" "$lib" >out 2>err || { cat out err; exit 1; }
    grep_q " 0 circles\$" out
'

test_expect 'issue 10 item 6: the checker finds a circle when there is one' '
    mkdir -p ring && cd ring &&
    printf "int b(void);\nint a(void) { return b(); }\n" >a.c &&
    printf "int a(void);\nint b(void) { return 1; }\nint c(void) { return a(); }\n" >b.c &&
    cc -c a.c b.c && ar rcs ring.a a.o b.o &&
    expect_code 1 python3 "$QS_SRC/tests/libcore-dag.py" ring.a &&
    grep_q "^circle: a, b" out
'

test_done
