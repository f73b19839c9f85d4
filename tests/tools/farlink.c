/* farlink — a loopback TCP proxy that makes a PostgreSQL server look far away,
 * for the benchmark (tests/bench/bench.sh) only. The kernel's netem is not
 * available on these machines, so the link is modelled here:
 *
 *   farlink UPSTREAM_PORT RTT_MS TOTAL_BYTES_PER_S WINDOW_BYTES STATS_FILE
 *
 * Bytes read from one side reach the other RTT/2 later, after waiting their
 * turn on a link shared by every connection in that direction
 * (TOTAL_BYTES_PER_S; 0: no cap). Each connection's direction holds at most
 * WINDOW_BYTES unacknowledged bytes: they count until delivered plus RTT/2
 * (the acknowledgement's way back), so one stream moves at most WINDOW/RTT
 * per second, as a TCP connection with that window does. A query and its
 * answer therefore cost one RTT, as over a real link.
 *
 * It listens on a free loopback port and prints it on stdout (one line);
 * STATS_FILE holds "connections bytes_to_server bytes_to_client", rewritten
 * whenever a connection ends. It runs until killed. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

struct chunk {
	struct chunk *next;
	double due;  /* when its bytes reach the other side */
	double free; /* when the window counts them no more */
	size_t len, off;
	char data[];
};

/* One direction of one connection: bytes read from `from`, written to `to`. */
struct flow {
	int from, to;
	struct chunk *head, *tail; /* not yet written, in order */
	struct chunk *acked;       /* written, still in the window: oldest first */
	struct chunk *acked_tail;
	size_t in_window;
	int eof; /* `from` ended: shut `to` down once everything is written */
	int done;
	int blocked; /* `to` took no more: wait until it is writable */
	int dir;     /* 0: to the server, 1: to the client */
};

struct conn {
	struct flow f[2];
	uint32_t watch[2]; /* the epoll events asked for f[i].from */
	struct conn *next;
};

static double rtt, rate, window;
static double link_free[2]; /* when each direction's shared link is next idle */
static unsigned long long total[2], connections;
static const char *stats_path;
static struct conn *conns;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_stats(void)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", stats_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%llu %llu %llu\n", connections, total[0], total[1]);
	if (fclose(f) == 0)
		rename(tmp, stats_path);
}

static void nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void free_list(struct chunk *c)
{
	while (c) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
}

/* Read what the window allows from the flow's source. */
static void flow_read(struct flow *fl, double t)
{
	while (!fl->eof && fl->in_window < window) {
		size_t room = (size_t)(window - fl->in_window);
		if (room > CHUNK)
			room = CHUNK;
		struct chunk *c = malloc(sizeof *c + room);
		if (!c)
			abort();
		ssize_t n = read(fl->from, c->data, room);
		if (n <= 0) {
			free(c);
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				fl->eof = 1;
			return;
		}
		double start = t > link_free[fl->dir] ? t : link_free[fl->dir];
		double send = rate > 0 ? (double)n / rate : 0;
		link_free[fl->dir] = start + send;
		c->next = NULL;
		c->len = (size_t)n;
		c->off = 0;
		c->due = start + send + rtt / 2;
		c->free = c->due + rtt / 2;
		fl->in_window += (size_t)n;
		total[fl->dir] += (unsigned long long)n;
		if (fl->tail)
			fl->tail->next = c;
		else
			fl->head = c;
		fl->tail = c;
	}
}

/* Write every chunk that is due; release acknowledged ones. */
static void flow_write(struct flow *fl, double t)
{
	while (fl->acked && fl->acked->free <= t) {
		struct chunk *c = fl->acked;
		fl->acked = c->next;
		if (!fl->acked)
			fl->acked_tail = NULL;
		fl->in_window -= c->len;
		free(c);
	}
	while (fl->head && fl->head->due <= t) {
		struct chunk *c = fl->head;
		ssize_t n = write(fl->to, c->data + c->off, c->len - c->off);
		fl->blocked = n < 0 && errno == EAGAIN;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fl->done = 1;
			return;
		}
		c->off += (size_t)n;
		if (c->off < c->len)
			return;
		fl->head = c->next;
		if (!fl->head)
			fl->tail = NULL;
		c->next = NULL;
		if (fl->acked_tail)
			fl->acked_tail->next = c;
		else
			fl->acked = c;
		fl->acked_tail = c;
	}
	if (fl->eof && !fl->head && !fl->done) {
		shutdown(fl->to, SHUT_WR);
		fl->done = 1;
	}
}

/* Ask epoll for what each socket waits for: readable while its flow's
 * window has room, writable while the other flow is blocked on it. */
static void conn_watch(struct conn *c, int ep)
{
	for (int i = 0; i < 2; i++) {
		uint32_t want = 0;
		if (!c->f[i].eof && c->f[i].in_window < window)
			want |= EPOLLIN;
		if (c->f[1 - i].blocked)
			want |= EPOLLOUT;
		if (want != c->watch[i]) {
			struct epoll_event ev = {.events = want, .data.ptr = c};
			epoll_ctl(ep, EPOLL_CTL_MOD, c->f[i].from, &ev);
			c->watch[i] = want;
		}
	}
}

/* The next moment something of FL becomes due, or a large value. */
static double flow_next(const struct flow *fl)
{
	double t = 1e18;
	if (fl->head && !fl->blocked)
		t = fl->head->due;
	if (fl->acked && fl->acked->free < t)
		t = fl->acked->free;
	return t;
}

static void conn_close(struct conn *c, int ep)
{
	struct conn **p = &conns;
	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	for (int i = 0; i < 2; i++) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->f[i].from, NULL);
		free_list(c->f[i].head);
		free_list(c->f[i].acked);
	}
	close(c->f[0].from);
	close(c->f[1].from);
	free(c);
	write_stats();
}

static int upstream(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void conn_open(int lfd, int port, int ep)
{
	int client = accept(lfd, NULL, NULL);
	if (client < 0)
		return;
	int server = upstream(port);
	if (server < 0) {
		close(client);
		return;
	}
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->f[0] = (struct flow){.from = client, .to = server, .dir = 0};
	c->f[1] = (struct flow){.from = server, .to = client, .dir = 1};
	nonblock(client);
	nonblock(server);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev);
	epoll_ctl(ep, EPOLL_CTL_ADD, server, &ev);
	c->watch[0] = c->watch[1] = EPOLLIN;
	c->next = conns;
	conns = c;
	connections++;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: farlink UPSTREAM_PORT RTT_MS TOTAL_BYTES_PER_S "
				"WINDOW_BYTES STATS_FILE\n");
		return 2;
	}
	int port = atoi(argv[1]);
	rtt = atof(argv[2]) / 1000.0;
	rate = atof(argv[3]);
	window = atof(argv[4]);
	stats_path = argv[5];
	if (window < CHUNK)
		window = CHUNK;
	/* a client killed mid-stream: its flows end (EPIPE), the link lives on */
	signal(SIGPIPE, SIG_IGN);

	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
		perror("farlink: listen");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	write_stats();

	int ep = epoll_create1(0);
	struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
	for (;;) {
		double t = now(), next = t + 1;
		for (struct conn *c = conns; c; c = c->next)
			for (int i = 0; i < 2; i++) {
				double d = flow_next(&c->f[i]);
				if (d < next)
					next = d;
			}
		int ms = next > t ? (int)((next - t) * 1000) + 1 : 0;
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, ms);
		for (int i = 0; i < n; i++)
			if (!evs[i].data.ptr)
				conn_open(lfd, port, ep);
		t = now();
		struct conn *c = conns;
		while (c) {
			struct conn *next_c = c->next;
			for (int i = 0; i < 2; i++) {
				flow_write(&c->f[i], t);
				flow_read(&c->f[i], t);
				flow_write(&c->f[i], t);
			}
			/* Both ways ended, or one side failed: the connection is over. */
			if ((c->f[0].done && c->f[1].done) || (c->f[0].done && !c->f[0].eof) ||
			    (c->f[1].done && !c->f[1].eof))
				conn_close(c, ep);
			else
				conn_watch(c, ep);
			c = next_c;
		}
	}
}
