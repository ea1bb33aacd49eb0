/*
 * ifd-vpcd-events: a vpcd-compatible IFD handler (pcsc-lite IFD handler API v3) that reports
 * card insertion and removal to pcscd as events instead of waiting to be polled.
 *
 * WHY: Debian's vsmartcard-vpcd 3.3 offers no TAG_IFD_POLLING_THREAD_WITH_TIMEOUT, so pcscd
 * 1.9 asks it "is a card there?" every PCSCLITE_STATUS_POLL_RATE (400 ms) and a tap waits
 * 0-400 ms for the next poll. Real CCID readers report card movement on their USB interrupt
 * endpoint; this handler does the same for the virtual card by blocking in poll(2) on its
 * sockets, so the test stack and the benches measure the kiosk, not pcscd's poll period.
 * It is test and bench infrastructure (a virtual reader), never part of the kiosk.
 *
 * Wire protocol (vsmartcard's vpcd, unchanged, so tests/vcard/card.py works with both):
 * the reader listens on 127.0.0.1:<port + slot>; a card connecting is a card inserted, the
 * connection closing is the card removed. Frames are a 2-byte big-endian length and the
 * payload; a 1-byte payload is a control code (00 power off, 01 power on, 02 reset, 04 get
 * ATR; only 04 is answered, with the ATR); longer payloads are command APDUs, answered with
 * a response APDU. reader.conf entries are the same as vpcd's:
 *     DEVICENAME /dev/null:0x<PORT>      (listen mode; vpcd's reverse-connect mode is not
 *     LIBPATH    <this library>           supported)
 *     CHANNELID  0x<PORT>
 *
 * How pcscd 1.9 drives a handler with a polling function (src/eventhandler.c,
 * EHStatusHandlerThread): in a loop, per slot, it calls IFDHICCPresence (under the slot's
 * mutex, rContext->mMutex), then the polling function WITHOUT any lock, with a timeout in
 * ms (PCSCLITE_POWER_OFF_GRACE_PERIOD while a powered card is unused, else
 * PCSCLITE_STATUS_EVENT_TIMEOUT). When the polling function returns anything but
 * IFD_SUCCESS pcscd sleeps PCSCLITE_STATUS_POLL_RATE before the next round, so errors fall
 * back to plain polling instead of spinning. To shut a reader down it sets its exit flag,
 * calls the TAG_IFD_STOP_POLLING_THREAD function (as the polling thread is not killable),
 * joins the thread, then calls IFDHCloseChannel. The same function is also called from
 * SCardDisconnect (seen with strace on pcscd 1.9.9: a client thread calls it as soon as the
 * last handle goes) so that the event thread re-reads the card's power state and starts the
 * power-off grace period: it must WAKE the wait once, not stop all later waits.
 *
 * Threads: presence, power and transmit come from pcscd's client threads and its event
 * thread; the polling function runs in the event thread. Each slot has its own mutex around
 * its sockets and state (slots are independent: TAG_IFD_SLOT_THREAD_SAFE = 1); the polling
 * function holds it only to take a snapshot, never while it waits. Whoever changes a slot's
 * connection (accepts a card, drops one) and pcscd's stop/wake call write a byte to the
 * slot's self-pipe; the byte stays until a wait sees it, so no wake-up is lost. The event
 * thread does not wake itself for its own changes (its next wait starts from a fresh
 * snapshot): pcscd powers a card down whenever the wait returns while the card is powered
 * but unused, so a needless wake right after insertion would cost a power cycle. Every
 * socket read and write has a deadline: a card that stops answering is dropped (seen as
 * removed) rather than hanging pcscd.
 */
#define _GNU_SOURCE /* POLLRDHUP, accept4, pipe2 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ifdhandler.h>

#define MAX_READERS 4         /* reader.conf entries this library serves at once */
#define SLOTS_PER_READER 2    /* like vpcd: port and port + 1 */
#define DEFAULT_PORT 0x8C7B   /* vpcd's default when DEVICENAME gives none */
#define LISTEN_DEVICE "/dev/null"
#define CTRL_POWER_OFF 0x00
#define CTRL_POWER_ON 0x01
#define CTRL_RESET 0x02
#define CTRL_GET_ATR 0x04
#define ATR_TIMEOUT_MS 1000   /* presence and power: a live card answers at once */
#define APDU_TIMEOUT_MS 5000  /* a command may take a while on a slow card */
#define MIN_APDU 4            /* CLA INS P1 P2; shorter would read as a control code */
#define MAX_FRAME 0xFFFF

enum io_result { IO_OK, IO_FAILED, IO_TOO_LONG };

struct slot {
	pthread_mutex_t lock;     /* socket I/O and every field below but `wake` */
	int wake[2];              /* self-pipe: [0] polled, [1] written; made once, never closed,
	                           * so a wake-up needs no lock (-1: could not be made) */
	bool open;
	int listen_fd;
	int card_fd;              /* -1: no card connected */
	bool accept_failed;       /* a pending connection could not be accepted */
	bool has_poller;          /* `poller` is set */
	pthread_t poller;         /* pcscd's event thread for this slot, once it has waited */
	unsigned char atr[MAX_ATR_SIZE];
	DWORD atr_len;
};

static struct slot slots[MAX_READERS][SLOTS_PER_READER];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void note(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Errors go to pcscd's stderr (its log). Never card data: no ATR, no APDU, no UID. */
static void note(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fputs("ifd-vpcd-events: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
}

static void init_slots(void)
{
	for (int r = 0; r < MAX_READERS; r++)
		for (int s = 0; s < SLOTS_PER_READER; s++) {
			struct slot *slot = &slots[r][s];
			pthread_mutex_init(&slot->lock, NULL);
			slot->listen_fd = slot->card_fd = -1;
			if (pipe2(slot->wake, O_NONBLOCK | O_CLOEXEC) != 0)
				slot->wake[0] = slot->wake[1] = -1;
		}
}

/* pcscd numbers slots 0xRRRRSSSS: reader digit in the high word, slot in the low word. */
static struct slot *slot_of(DWORD lun)
{
	DWORD reader = (lun >> 16) & 0xFFFF, index = lun & 0xFFFF;
	pthread_once(&slots_once, init_slots);
	if (reader >= MAX_READERS || index >= SLOTS_PER_READER)
		return NULL;
	return &slots[reader][index];
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for `events` or the deadline passes; false on timeout or error. */
static bool wait_ready(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = fd, .events = events };
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return true; /* readiness or HUP/ERR: the next send/recv says which */
		if (n < 0 && errno != EINTR)
			return false;
	}
}

static bool send_all(int fd, const unsigned char *data, size_t size, int64_t deadline)
{
	while (size > 0) {
		ssize_t n = send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			data += n;
			size -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_ready(fd, POLLOUT, deadline))
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* Read exactly `size` bytes; buf NULL discards them. End of stream is a failure. */
static bool recv_all(int fd, unsigned char *buf, size_t size, int64_t deadline)
{
	unsigned char sink[256];
	while (size > 0) {
		unsigned char *into = buf ? buf : sink;
		size_t want = buf ? size : (size < sizeof sink ? size : sizeof sink);
		ssize_t n = recv(fd, into, want, MSG_DONTWAIT);
		if (n > 0) {
			if (buf)
				buf += n;
			size -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_ready(fd, POLLIN, deadline))
				return false;
		} else {
			return false; /* 0: the card hung up */
		}
	}
	return true;
}

/* Header and payload in one send: two small writes would meet Nagle and delayed ACKs. */
static bool send_frame(int fd, const unsigned char *payload, size_t size, int64_t deadline)
{
	unsigned char small[2 + 64];
	unsigned char *frame = size <= 64 ? small : malloc(size + 2);
	if (frame == NULL)
		return false;
	frame[0] = (unsigned char)(size >> 8);
	frame[1] = (unsigned char)size;
	memcpy(frame + 2, payload, size);
	bool ok = send_all(fd, frame, size + 2, deadline);
	if (frame != small)
		free(frame);
	return ok;
}

/* One frame into buf; a frame longer than capacity is read to its end and reported. */
static enum io_result recv_frame(int fd, unsigned char *buf, size_t capacity, DWORD *length,
	int64_t deadline)
{
	unsigned char header[2];
	if (!recv_all(fd, header, sizeof header, deadline))
		return IO_FAILED;
	size_t size = ((size_t)header[0] << 8) | header[1];
	if (size > capacity)
		return recv_all(fd, NULL, size, deadline) ? IO_TOO_LONG : IO_FAILED;
	if (!recv_all(fd, buf, size, deadline))
		return IO_FAILED;
	*length = (DWORD)size;
	return IO_OK;
}

static void write_wake(struct slot *slot)
{
	ssize_t n = write(slot->wake[1], "w", 1);
	(void)n; /* a full pipe already holds a wake-up */
}

/* The slot's connection changed. Caller holds the lock. */
static void wake_poller(struct slot *slot)
{
	if (!(slot->has_poller && pthread_equal(slot->poller, pthread_self())))
		write_wake(slot);
}

static void drain_wakes(struct slot *slot)
{
	unsigned char sink[64];
	while (read(slot->wake[0], sink, sizeof sink) > 0)
		;
}

/* Drop the card: shutdown() first, so a poll on a duplicate of the fd sees the hang-up. */
static void drop_card(struct slot *slot)
{
	if (slot->card_fd < 0)
		return;
	shutdown(slot->card_fd, SHUT_RDWR);
	close(slot->card_fd);
	slot->card_fd = -1;
	slot->atr_len = 0;
	wake_poller(slot);
}

/* Take a waiting card connection, if any, without blocking. Caller holds the lock. */
static void accept_pending(struct slot *slot)
{
	if (slot->card_fd >= 0 || slot->listen_fd < 0)
		return;
	int fd = accept4(slot->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		bool hard = errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
			&& errno != ECONNABORTED;
		if (hard && !slot->accept_failed) /* once, not at every retry */
			note("accept failed: %s", strerror(errno));
		slot->accept_failed = hard; /* while set, pcscd polls (a wait would return at once) */
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	slot->accept_failed = false;
	slot->card_fd = fd;
	slot->atr_len = 0;
	wake_poller(slot);
}

/* A card that sent something unasked would shift every later answer by one: discard it.
 * Returns false when the card has hung up meanwhile. Caller holds the lock. */
static bool discard_unasked(struct slot *slot)
{
	unsigned char sink[256];
	for (;;) {
		ssize_t n = recv(slot->card_fd, sink, sizeof sink, MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
	}
}

static bool send_control(struct slot *slot, unsigned char code)
{
	return send_frame(slot->card_fd, &code, 1, now_ms() + ATR_TIMEOUT_MS);
}

/* Ask for the ATR and keep it. On any failure the card is dropped. Caller holds the lock. */
static bool fetch_atr(struct slot *slot)
{
	unsigned char code = CTRL_GET_ATR;
	int64_t deadline = now_ms() + ATR_TIMEOUT_MS;
	DWORD length = 0;
	enum io_result result = IO_FAILED;
	if (discard_unasked(slot) && send_frame(slot->card_fd, &code, 1, deadline))
		result = recv_frame(slot->card_fd, slot->atr, sizeof slot->atr, &length, deadline);
	if (result == IO_OK && length > 0) {
		slot->atr_len = length;
		return true;
	}
	if (result == IO_TOO_LONG)
		note("card sent an ATR longer than %d bytes: dropped", MAX_ATR_SIZE);
	else if (result == IO_OK)
		note("card sent an empty ATR: dropped");
	drop_card(slot);
	return false;
}

static void close_slot(struct slot *slot)
{
	drop_card(slot);
	if (slot->listen_fd >= 0) {
		close(slot->listen_fd);
		slot->listen_fd = -1;
	}
	slot->accept_failed = false;
	slot->has_poller = false;
	slot->open = false;
}

static RESPONSECODE open_slot(DWORD lun, unsigned long base_port)
{
	struct slot *slot = slot_of(lun);
	if (slot == NULL) {
		note("Lun 0x%lx is beyond %d readers of %d slots", (unsigned long)lun, MAX_READERS,
			SLOTS_PER_READER);
		return IFD_COMMUNICATION_ERROR;
	}
	unsigned long port = base_port + (lun & 0xFFFF);
	if (slot->wake[0] < 0) {
		note("no self-pipe for Lun 0x%lx (out of file descriptors at load)", (unsigned long)lun);
		return IFD_COMMUNICATION_ERROR;
	}
	if (base_port == 0 || port > 65535) {
		note("port %lu (+ slot %lu) is not a TCP port", base_port, (unsigned long)(lun & 0xFFFF));
		return IFD_COMMUNICATION_ERROR;
	}

	pthread_mutex_lock(&slot->lock);
	close_slot(slot);
	drain_wakes(slot); /* left from the channel's previous life */
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	slot->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool ok = slot->listen_fd >= 0
		&& setsockopt(slot->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0
		&& bind(slot->listen_fd, (struct sockaddr *)&address, sizeof address) == 0
		&& listen(slot->listen_fd, 1) == 0;
	if (!ok) {
		note("cannot listen on 127.0.0.1:%lu: %s", port, strerror(errno));
		close_slot(slot);
	}
	slot->open = ok;
	pthread_mutex_unlock(&slot->lock);
	return ok ? IFD_SUCCESS : IFD_COMMUNICATION_ERROR;
}

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	/* vpcd's form: "<host>:<port>"; host /dev/null means "listen for the card". */
	if (DeviceName == NULL)
		return IFD_COMMUNICATION_ERROR;
	const char *colon = strrchr(DeviceName, ':');
	size_t host_length = colon ? (size_t)(colon - DeviceName) : strlen(DeviceName);
	if (host_length != strlen(LISTEN_DEVICE) || strncmp(DeviceName, LISTEN_DEVICE, host_length)) {
		note("DEVICENAME must be %s:<port> (listen mode); the reverse-connect mode of vpcd "
			"is not supported", LISTEN_DEVICE);
		return IFD_COMMUNICATION_ERROR;
	}
	if (colon == NULL)
		return open_slot(Lun, DEFAULT_PORT);
	char *end = NULL;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 0);
	if (errno || end == colon + 1 || *end != '\0') {
		note("DEVICENAME port is not a number");
		return IFD_COMMUNICATION_ERROR;
	}
	return open_slot(Lun, port);
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	return open_slot(Lun, Channel ? (unsigned long)Channel : DEFAULT_PORT);
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
	struct slot *slot = slot_of(Lun);
	if (slot == NULL)
		return IFD_COMMUNICATION_ERROR;
	pthread_mutex_lock(&slot->lock);
	close_slot(slot);
	pthread_mutex_unlock(&slot->lock);
	return IFD_SUCCESS;
}

/*
 * The polling function pcscd's event thread calls between presence checks: block until
 * something may have changed for this slot (a card connecting, the card's connection
 * closing, another thread changing the slot, pcscd's stop/wake call) or until timeout_ms
 * passes. IFD_SUCCESS makes pcscd check presence again at once (a timeout too, as CCID
 * does); an error makes it sleep its 400 ms poll period first, so a broken slot cannot spin.
 */
static RESPONSECODE wait_for_card_event(DWORD Lun, int timeout_ms)
{
	struct slot *slot = slot_of(Lun);
	if (slot == NULL)
		return IFD_COMMUNICATION_ERROR;

	/* Snapshot under the lock; a change after it writes to the pipe, which the wait sees. */
	pthread_mutex_lock(&slot->lock);
	if (!slot->open || slot->accept_failed) { /* fall back to pcscd's 400 ms polling */
		pthread_mutex_unlock(&slot->lock);
		return IFD_COMMUNICATION_ERROR;
	}
	slot->poller = pthread_self();
	slot->has_poller = true;
	struct pollfd fds[2] = { { .fd = slot->wake[0], .events = POLLIN } };
	nfds_t count = 1;
	int card = -1;
	bool had_card = slot->card_fd >= 0;
	if (had_card) {
		/* A duplicate: another thread may close the original while we wait. Only the
		 * hang-up is watched: data is an answer some other thread is about to read. */
		card = fcntl(slot->card_fd, F_DUPFD_CLOEXEC, 0);
		if (card >= 0)
			fds[count++] = (struct pollfd){ .fd = card, .events = POLLRDHUP };
	} else {
		/* The listening socket outlives this wait: only IFDHCloseChannel closes it, and
		 * pcscd calls that after this thread has ended. */
		fds[count++] = (struct pollfd){ .fd = slot->listen_fd, .events = POLLIN };
	}
	pthread_mutex_unlock(&slot->lock);

	RESPONSECODE result = IFD_SUCCESS;
	if (had_card && card < 0) {
		result = IFD_COMMUNICATION_ERROR; /* no fd left to dup: fall back to polling */
	} else {
		int n = poll(fds, count, timeout_ms < 0 ? -1 : timeout_ms);
		if (n < 0 && errno != EINTR)
			result = IFD_COMMUNICATION_ERROR;
		else if (n > 0 && (fds[0].revents & (POLLERR | POLLNVAL)))
			result = IFD_COMMUNICATION_ERROR;
		else if (n > 0 && (fds[0].revents & POLLIN))
			drain_wakes(slot); /* every change so far is seen by the check that follows */
	}
	if (card >= 0)
		close(card);
	return result;
}

/* TAG_IFD_STOP_POLLING_THREAD: end the current (or next) wait once. pcscd calls it before
 * joining the event thread and from SCardDisconnect (see the top of this file). No lock: a
 * transmit to a slow card must not delay either. */
static RESPONSECODE wake_waiting(DWORD Lun)
{
	struct slot *slot = slot_of(Lun);
	if (slot == NULL || slot->wake[1] < 0)
		return IFD_COMMUNICATION_ERROR;
	write_wake(slot);
	return IFD_SUCCESS;
}

static RESPONSECODE give_byte(PDWORD Length, PUCHAR Value, UCHAR byte)
{
	if (*Length < 1)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	*Length = 1;
	Value[0] = byte;
	return IFD_SUCCESS;
}

static RESPONSECODE give_function(PDWORD Length, PUCHAR Value, const void *function_address,
	size_t size)
{
	if (*Length < size)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	*Length = (DWORD)size;
	memcpy(Value, function_address, size);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	static RESPONSECODE (*const poller)(DWORD, int) = wait_for_card_event;
	static RESPONSECODE (*const stopper)(DWORD) = wake_waiting;
	struct slot *slot = slot_of(Lun);
	if (slot == NULL || Length == NULL || Value == NULL)
		return IFD_COMMUNICATION_ERROR;

	switch (Tag) {
	case TAG_IFD_ATR: {
		pthread_mutex_lock(&slot->lock);
		RESPONSECODE result = IFD_ERROR_INSUFFICIENT_BUFFER;
		if (*Length >= slot->atr_len) {
			memcpy(Value, slot->atr, slot->atr_len);
			*Length = slot->atr_len;
			result = IFD_SUCCESS;
		}
		pthread_mutex_unlock(&slot->lock);
		return result;
	}
	case TAG_IFD_SLOTS_NUMBER:
		return give_byte(Length, Value, SLOTS_PER_READER);
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		return give_byte(Length, Value, MAX_READERS);
	case TAG_IFD_SLOT_THREAD_SAFE: /* each slot has its own lock and sockets */
	case TAG_IFD_THREAD_SAFE:      /* readers share nothing once opened */
		return give_byte(Length, Value, 1);
	case TAG_IFD_POLLING_THREAD_KILLABLE: /* no: stop it with TAG_IFD_STOP_POLLING_THREAD */
		return give_byte(Length, Value, 0);
	case TAG_IFD_POLLING_THREAD_WITH_TIMEOUT:
		return give_function(Length, Value, &poller, sizeof poller);
	case TAG_IFD_STOP_POLLING_THREAD:
		return give_function(Length, Value, &stopper, sizeof stopper);
	default:
		return IFD_ERROR_TAG;
	}
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	(void)Lun, (void)Tag, (void)Length, (void)Value;
	return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1,
	UCHAR PTS2, UCHAR PTS3)
{
	(void)Lun, (void)Flags, (void)PTS1, (void)PTS2, (void)PTS3;
	/* The virtual card has no transmission protocol: T=0 and T=1 both "work". */
	if (Protocol == SCARD_PROTOCOL_T0 || Protocol == SCARD_PROTOCOL_T1)
		return IFD_SUCCESS;
	return IFD_PROTOCOL_NOT_SUPPORTED;
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	struct slot *slot = slot_of(Lun);
	DWORD capacity = AtrLength ? *AtrLength : 0;
	if (AtrLength)
		*AtrLength = 0; /* pcscd passes NULL for both when it powers down */
	if (slot == NULL)
		return IFD_COMMUNICATION_ERROR;
	if (Action != IFD_POWER_UP && Action != IFD_POWER_DOWN && Action != IFD_RESET)
		return IFD_NOT_SUPPORTED;

	pthread_mutex_lock(&slot->lock);
	RESPONSECODE result = IFD_SUCCESS;
	if (slot->card_fd < 0) {
		result = IFD_ICC_NOT_PRESENT;
	} else if (Action == IFD_POWER_DOWN) {
		if (!discard_unasked(slot) || !send_control(slot, CTRL_POWER_OFF)) {
			drop_card(slot);
			result = IFD_COMMUNICATION_ERROR;
		}
	} else {
		unsigned char code = Action == IFD_POWER_UP ? CTRL_POWER_ON : CTRL_RESET;
		if (!discard_unasked(slot) || !send_control(slot, code)) {
			drop_card(slot);
			result = IFD_COMMUNICATION_ERROR;
		} else if (!fetch_atr(slot)) {
			result = IFD_COMMUNICATION_ERROR;
		} else if (Atr == NULL || AtrLength == NULL || capacity < slot->atr_len) {
			result = IFD_ERROR_INSUFFICIENT_BUFFER;
		} else {
			memcpy(Atr, slot->atr, slot->atr_len);
			*AtrLength = slot->atr_len;
		}
	}
	pthread_mutex_unlock(&slot->lock);
	return result;
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer,
	DWORD TxLength, PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
	struct slot *slot = slot_of(Lun);
	DWORD capacity = *RxLength;
	*RxLength = 0;
	if (slot == NULL)
		return IFD_COMMUNICATION_ERROR;
	if (TxLength < MIN_APDU || TxLength > MAX_FRAME) {
		note("command of %lu bytes is not an APDU the vpcd protocol can carry",
			(unsigned long)TxLength);
		return IFD_COMMUNICATION_ERROR;
	}
	if (RecvPci)
		RecvPci->Protocol = SendPci.Protocol;

	pthread_mutex_lock(&slot->lock);
	RESPONSECODE result = IFD_SUCCESS;
	if (slot->card_fd < 0) {
		result = IFD_ICC_NOT_PRESENT;
	} else {
		int64_t deadline = now_ms() + APDU_TIMEOUT_MS;
		enum io_result io = IO_FAILED;
		if (discard_unasked(slot) && send_frame(slot->card_fd, TxBuffer, TxLength, deadline))
			io = recv_frame(slot->card_fd, RxBuffer, capacity, RxLength, deadline);
		if (io == IO_TOO_LONG) {
			result = IFD_ERROR_INSUFFICIENT_BUFFER;
		} else if (io == IO_FAILED) {
			/* Hung up, timed out or out of step: either way the card is gone for us. */
			*RxLength = 0;
			drop_card(slot);
			result = IFD_COMMUNICATION_ERROR;
		}
	}
	pthread_mutex_unlock(&slot->lock);
	return result;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength,
	PUCHAR RxBuffer, DWORD RxLength, LPDWORD pdwBytesReturned)
{
	(void)Lun, (void)dwControlCode, (void)TxBuffer, (void)TxLength, (void)RxBuffer,
		(void)RxLength;
	if (pdwBytesReturned)
		*pdwBytesReturned = 0;
	return IFD_ERROR_NOT_SUPPORTED;
}

/* Like vpcd: present = a card is connected (a waiting one is taken now) and answers. */
RESPONSECODE IFDHICCPresence(DWORD Lun)
{
	struct slot *slot = slot_of(Lun);
	if (slot == NULL)
		return IFD_COMMUNICATION_ERROR;
	pthread_mutex_lock(&slot->lock);
	accept_pending(slot);
	bool present = slot->card_fd >= 0 && fetch_atr(slot);
	pthread_mutex_unlock(&slot->lock);
	return present ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}
