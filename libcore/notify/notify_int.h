/* notify_int.h: what the files of module notify share. */
#ifndef QS_NOTIFY_INT_H
#define QS_NOTIFY_INT_H

#include "notify.h"

/* One event of notify_event. */
struct notify_ev {
    long long id;
    int kind;
    char *ref, *pack_no, *at;
};

/* Reads the order events after notify_mark into notify_event (each event once, R-SYN-4)
 * and moves the mark, in one transaction (own_tx 0: in the caller's). *added gets the
 * events new to the table. */
int notify_events_scan(struct store *s, const char *shop, int own_tx, long *added,
                       struct qs_err *e);
/* The open events of shop (oldest first) into a malloc'd array; free with
 * notify_evs_free. */
int notify_events_open(struct store *s, const char *shop, struct notify_ev **out, size_t *n,
                       struct qs_err *e);
void notify_evs_free(struct notify_ev *v, size_t n);
/* Closes event id (state done). */
int notify_event_close(struct store *s, long long id, struct qs_err *e);
/* 1 when event ev still stands by the store's lines now (no cancel on an order or paid
 * cart, still all delivered, the claim still open or done), 0 if not, or a QS_E_* code. */
int notify_event_stands(struct store *s, const char *shop, const struct notify_ev *ev,
                        struct qs_err *e);
#endif
