/* Drawing helpers (UTF-8 text clipped by display width, bars, boxes) and the
 * wide-character line editor used by the forms. */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "app.h"
#include "util.h"

/* Rows outside [clip_top, clip_bottom) are not drawn (a scrolled view). */
static int clip_top = 0, clip_bottom = INT_MAX;

/* Decode UTF-8 S into OUT (at most N-1 wide chars), fitting W columns when
 * W >= 0; control and invalid bytes become '?' (a newline too, unless W < 0:
 * then it is kept, zero columns wide). Returns the columns used. */
static int decode(const char *s, wchar_t *out, size_t n, int w, size_t *nout)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	size_t o = 0;
	int cols = 0;
	size_t len = strlen(s);
	while (*s && o + 1 < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof ps);
			wc = L'?';
			k = 1;
		}
		int cw = w < 0 && wc == L'\n' ? 0 : wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (w >= 0 && cols + cw > w)
			break;
		out[o++] = wc;
		cols += cw;
		s += k;
		len -= k;
	}
	out[o] = 0;
	if (nout)
		*nout = o;
	return cols;
}

/* Decode UTF-8 S into a heap array of wide characters (as decode does,
 * without a width limit, newlines kept); *N gets its length, *COLS (when
 * not NULL) its columns. */
static wchar_t *decode_all(const char *s, size_t *n, int *cols)
{
	size_t cap = strlen(s) + 1;
	wchar_t *w = xmalloc(cap * sizeof *w);
	int c = decode(s, w, cap, -1, n);
	if (cols)
		*cols = c;
	return w;
}

int ui_width(const char *s)
{
	size_t n;
	int cols;
	free(decode_all(s, &n, &cols));
	return cols;
}

int ui_text(int y, int x, int w, int role, const char *s)
{
	if (w <= 0 || y < clip_top || y >= clip_bottom || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	wchar_t buf[1024];
	size_t n;
	int cols = decode(s, buf, sizeof buf / sizeof buf[0], w, &n);
	attrset(theme_attr(role));
	mvaddnwstr(y, x, buf, (int)n);
	attrset(A_NORMAL);
	return cols;
}

int ui_textf(int y, int x, int w, int role, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_text(y, x, w, role, buf);
}

void ui_fill(int y, int x, int w, int role)
{
	if (y < clip_top || y >= clip_bottom || y < 0 || y >= LINES)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(theme_attr(role));
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

/* Where a row of at most W columns starting at W[I] ends (exclusive): after
 * the last break that fits, else as many characters as fit (at least one).
 * A break is a space; with KEYS, only two or more spaces (a key line's items
 * stay whole). */
static size_t row_end(const wchar_t *w, size_t n, size_t i, int width, bool keys)
{
	int cols = 0;
	size_t j = i, brk = 0;
	while (j < n && w[j] != L'\n') {
		int cw = wcwidth(w[j]);
		if (cols + cw > width)
			break;
		if (w[j] == L' ' && j > i && (!keys || (j + 1 < n && w[j + 1] == L' ')))
			brk = j;
		cols += cw;
		j++;
	}
	if (j < n && w[j] != L'\n' && brk)
		return brk;
	return j > i || (j < n && w[j] == L'\n') ? j : i + 1;
}

/* Draw N wide characters at Y, X in ROLE, inside the clip rows. */
static void put_wcs(int y, int x, int role, const wchar_t *w, size_t n)
{
	if (y < clip_top || y >= clip_bottom || y >= LINES || n == 0)
		return;
	attrset(theme_attr(role));
	mvaddnwstr(y, x, w, (int)n);
	attrset(A_NORMAL);
}

/* Lay S out in rows of W columns from row Y: rows [0, H) are drawn when
 * DRAW; returns the rows the whole text takes. */
static int wrap(int y, int x, int width, int h, int role, const char *s, bool keys, bool draw)
{
	if (width < 1)
		return 0;
	size_t n;
	wchar_t *w = decode_all(s, &n, NULL);
	int rows = 0;
	size_t i = 0;
	while (i < n) {
		size_t e = row_end(w, n, i, width, keys);
		size_t len = e - i;
		while (len > 0 && w[i + len - 1] == L' ')
			len--;
		if (draw && rows < h)
			put_wcs(y + rows, x, role, w + i, len);
		rows++;
		i = e;
		if (i < n && w[i] == L'\n')
			i++; /* a newline ends the row */
		else
			while (i < n && w[i] == L' ')
				i++;
	}
	free(w);
	return rows;
}

int ui_wrap(int y, int x, int w, int h, int role, const char *s)
{
	int rows = wrap(y, x, w, h, role, s, false, true);
	return rows < h ? rows : h;
}

int ui_wrap_rows(int w, const char *s)
{
	return wrap(0, 0, w, 0, 0, s, false, false);
}

int ui_keys(int y, int x, int w, int h, int role, const char *keys)
{
	int rows = wrap(y, x, w, h, role, keys, true, true);
	return rows < h ? rows : h;
}

int ui_keys_rows(int w, const char *keys)
{
	return wrap(0, 0, w, 0, 0, keys, true, false);
}

void ui_clip(int top, int bottom)
{
	clip_top = top;
	clip_bottom = bottom;
}

void ui_unclip(void)
{
	clip_top = 0;
	clip_bottom = INT_MAX;
}

void ui_bar(int y, int x, int w, double frac)
{
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int full = (int)(frac * w + 0.5);
	ui_fill(y, x, full, ROLE_PROGRESS_DONE);
	ui_fill(y, x + full, w - full, ROLE_PROGRESS_TODO);
	char pct[8];
	snprintf(pct, sizeof pct, "%3d%%", (int)(frac * 100));
	if (w >= 6) {
		int px = x + (w - 4) / 2;
		for (int i = 0; i < 4; i++)
			ui_text(y, px + i, 1,
				px + i < x + full ? ROLE_PROGRESS_DONE : ROLE_PROGRESS_TODO,
				(char[]){pct[i], 0});
	}
}

void ui_box(int h, int w, int role, const char *title, int *y, int *x)
{
	if (w > COLS - 2)
		w = COLS - 2;
	if (h > LINES - 2)
		h = LINES - 2;
	int top = (LINES - h) / 2, left = (COLS - w) / 2;
	for (int i = 0; i < h; i++)
		ui_fill(top + i, left, w, role);
	attrset(theme_attr(role));
	mvaddch(top, left, ACS_ULCORNER);
	mvhline(top, left + 1, ACS_HLINE, w - 2);
	mvaddch(top, left + w - 1, ACS_URCORNER);
	mvvline(top + 1, left, ACS_VLINE, h - 2);
	mvvline(top + 1, left + w - 1, ACS_VLINE, h - 2);
	mvaddch(top + h - 1, left, ACS_LLCORNER);
	mvhline(top + h - 1, left + 1, ACS_HLINE, w - 2);
	mvaddch(top + h - 1, left + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	if (title)
		ui_textf(top, left + 2, w - 4, ROLE_DIALOG_TITLE, " %s ", title);
	*y = top + 1;
	*x = left + 2;
}

int level_role(enum finding_level l)
{
	switch (l) {
	case LEVEL_OK:
		return ROLE_OK;
	case LEVEL_WARN:
		return ROLE_WARN;
	case LEVEL_ERROR:
		return ROLE_ERROR;
	default:
		return ROLE_INFO;
	}
}

int status_role(enum step_status s)
{
	switch (s) {
	case STATUS_RUNNING:
		return ROLE_STATUS_RUNNING;
	case STATUS_OK:
		return ROLE_STATUS_OK;
	case STATUS_FAILED:
		return ROLE_STATUS_FAILED;
	case STATUS_SKIPPED:
		return ROLE_STATUS_SKIPPED;
	default:
		return ROLE_STATUS_PENDING;
	}
}

const char *status_badge(enum step_status s)
{
	switch (s) {
	case STATUS_RUNNING:
		return "»";
	case STATUS_OK:
		return "✓";
	case STATUS_FAILED:
		return "✗";
	case STATUS_SKIPPED:
		return "–";
	default:
		return "·";
	}
}

/* The line editor. */

static void field_reserve(struct field *f, size_t n)
{
	if (n + 1 > f->cap) {
		f->cap = (n + 1) * 2;
		f->buf = xrealloc(f->buf, f->cap * sizeof *f->buf);
	}
}

void field_set(struct field *f, const char *utf8)
{
	size_t n = strlen(utf8) + 1;
	field_reserve(f, n);
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	const char *s = utf8;
	size_t o = 0, len = strlen(s);
	while (*s) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof ps);
			wc = (unsigned char)*s; /* keep the byte as a Latin-1 char */
			k = 1;
		}
		f->buf[o++] = wc;
		s += k;
		len -= k;
	}
	f->buf[o] = 0;
	f->len = o;
	f->cur = o;
	f->scroll = 0;
}

char *field_get(const struct field *f)
{
	size_t cap = f->len * MB_CUR_MAX + 1;
	char *out = xmalloc(cap);
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	size_t o = 0;
	for (size_t i = 0; i < f->len; i++) {
		size_t k = wcrtomb(out + o, f->buf[i], &ps);
		if (k == (size_t)-1) {
			memset(&ps, 0, sizeof ps);
			out[o++] = '?';
		} else {
			o += k;
		}
	}
	out[o] = 0;
	return out;
}

void field_free(struct field *f)
{
	if (f->buf)
		memset(f->buf, 0, f->cap * sizeof *f->buf);
	free(f->buf);
	memset(f, 0, sizeof *f);
}

static bool is_word(wchar_t c)
{
	return iswalnum((wint_t)c);
}

int field_key(struct field *f, int type, wint_t ch)
{
	if (!f->buf)
		field_set(f, "");
	if (type == KT_CHAR) {
		if (ch == 127 || ch == 8) { /* backspace as a character */
			type = KT_KEY;
			ch = KEY_BACKSPACE;
		} else if (ch == KEY_CTRL('a')) {
			f->cur = 0;
			return 2;
		} else if (ch == KEY_CTRL('e')) {
			f->cur = f->len;
			return 2;
		} else if (ch == KEY_CTRL('u')) {
			memmove(f->buf, f->buf + f->cur, (f->len - f->cur + 1) * sizeof *f->buf);
			f->len -= f->cur;
			f->cur = 0;
			return 1;
		} else if (ch == KEY_CTRL('k')) {
			f->len = f->cur;
			f->buf[f->len] = 0;
			return 1;
		} else if (ch == KEY_CTRL('w')) {
			size_t e = f->cur, b = e;
			while (b > 0 && !is_word(f->buf[b - 1]))
				b--;
			while (b > 0 && is_word(f->buf[b - 1]))
				b--;
			memmove(f->buf + b, f->buf + e, (f->len - e + 1) * sizeof *f->buf);
			f->len -= e - b;
			f->cur = b;
			return e != b;
		} else if (ch >= 32 && iswprint(ch) && wcwidth((wchar_t)ch) >= 0) {
			field_reserve(f, f->len + 1);
			memmove(f->buf + f->cur + 1, f->buf + f->cur,
				(f->len - f->cur + 1) * sizeof *f->buf);
			f->buf[f->cur++] = (wchar_t)ch;
			f->len++;
			return 1;
		} else {
			return 0;
		}
	}
	switch (ch) {
	case KEY_BACKSPACE:
		if (f->cur == 0)
			return 2;
		memmove(f->buf + f->cur - 1, f->buf + f->cur,
			(f->len - f->cur + 1) * sizeof *f->buf);
		f->cur--;
		f->len--;
		return 1;
	case KEY_DC:
		if (f->cur == f->len)
			return 2;
		memmove(f->buf + f->cur, f->buf + f->cur + 1, (f->len - f->cur) * sizeof *f->buf);
		f->len--;
		return 1;
	case KEY_LEFT:
		if (f->cur > 0)
			f->cur--;
		return 2;
	case KEY_RIGHT:
		if (f->cur < f->len)
			f->cur++;
		return 2;
	case KEY_HOME:
		f->cur = 0;
		return 2;
	case KEY_END:
		f->cur = f->len;
		return 2;
	default:
		return 0;
	}
}

static int wc_cols(wchar_t c)
{
	int w = wcwidth(c);
	return w < 0 ? 1 : w;
}

void field_url_password(const struct field *f, size_t *from, size_t *to)
{
	*from = *to = 0;
	size_t s = 0, at = 0, colon = 0;
	for (size_t i = 0; i + 2 < f->len; i++)
		if (f->buf[i] == ':' && f->buf[i + 1] == '/' && f->buf[i + 2] == '/') {
			s = i + 3;
			break;
		}
	if (!s)
		return;
	for (size_t i = s; i < f->len; i++)
		if (f->buf[i] == '@')
			at = i;
	for (size_t i = s; i < at; i++)
		if (f->buf[i] == ':') {
			colon = i;
			break;
		}
	if (colon && at > colon + 1) {
		*from = colon + 1;
		*to = at;
	}
}

void field_draw(struct field *f, int y, int x, int w, int role, bool focus, size_t mask_from,
		size_t mask_to)
{
	if (!f->buf)
		field_set(f, "");
	if (w < 2)
		return;
	/* Column of the cursor from the start of the text. */
	int curcol = 0;
	for (size_t i = 0; i < f->cur; i++)
		curcol += i >= mask_from && i < mask_to ? 1 : wc_cols(f->buf[i]);
	if (curcol < f->scroll)
		f->scroll = curcol;
	if (curcol - f->scroll > w - 1)
		f->scroll = curcol - (w - 1);
	ui_fill(y, x, w, role);
	attrset(theme_attr(role));
	int col = 0, outcol = 0;
	for (size_t i = 0; i < f->len; i++) {
		wchar_t c = i >= mask_from && i < mask_to ? L'*' : f->buf[i];
		int cw = wc_cols(c);
		if (col >= f->scroll) {
			if (outcol + cw > w)
				break;
			if (!iswprint((wint_t)c))
				c = L'?';
			mvaddnwstr(y, x + outcol, &c, 1);
			outcol += cw;
		} else if (col + cw > f->scroll) {
			/* a wide char cut by the left edge */
			mvaddch(y, x + outcol, '<');
			outcol += col + cw - f->scroll;
		}
		col += cw;
	}
	attrset(A_NORMAL);
	if (focus)
		ui_cursor(y, x + curcol - f->scroll);
}
