/*
 * main.c — entry point of `ftpkit`, the command-line FTP client built on
 * the public libftpkit C API (<ftpkit/ftp.h>).  Parses the options with
 * getopt_long (options may follow the operands, GNU style), validates
 * which options the subcommand accepts and dispatches.  Exit codes: see
 * cli.h and the EXIT STATUS section of the help text.
 */
#define _POSIX_C_SOURCE 200809L

#include <ftpkit/ftp.h>

#include "cli.h"
#include "commands.h"
#include "interrupt.h"

#include <errno.h>
#include <getopt.h>
#include <math.h> /* isfinite */
#include <stdlib.h>
#include <string.h>

/* The --help text, one line per element (ISO C caps string literals). */
static const char *const help_text[] = {
    "NAME\n",
    "    ftpkit - transfer files with an FTP server\n",
    "\n",
    "SYNOPSIS\n",
    "    ftpkit [OPTIONS] ls URL [--nlst | --raw]\n",
    "    ftpkit [OPTIONS] get URL [-o FILE] [-c]\n",
    "    ftpkit [OPTIONS] get URL... [-O DIR] [-c]\n",
    "    ftpkit [OPTIONS] get -r URL [-O DIR]\n",
    "    ftpkit [OPTIONS] put FILE URL\n",
    "    ftpkit [OPTIONS] rm URL...\n",
    "    ftpkit [OPTIONS] mkdir URL...\n",
    "    ftpkit [OPTIONS] rmdir URL...\n",
    "    ftpkit [OPTIONS] cmd URL COMMAND...\n",
    "\n",
    "URLS\n",
    "    ftp://[USER[:PASSWORD]@]HOST[:PORT]/PATH   (IPv6: ftp://[::1]:2121/PATH)\n",
    "    ftps://...  implicit FTPS: TLS from the first byte, default port 990\n",
    "    The path is percent-decoded and, as in curl, relative to the login\n",
    "    directory: ftp://host/dir/file names \"dir/file\".  Start it with \"//\"\n",
    "    or \"%2F\" for an absolute path (ftp://host//etc/motd).  A path ending\n",
    "    in '/' names a directory.  Percent-encode '?', '#', '@', ':' and\n",
    "    spaces; CR, LF and NUL are refused.\n",
    "\n",
    "FTPS\n",
    "    ftps:// URLs use implicit TLS (port 990 unless the URL names one).\n",
    "    With --ssl-reqd, ftp:// URLs use explicit TLS: AUTH TLS right after\n",
    "    the greeting, and the command fails if the server refuses it.  Both\n",
    "    then protect the data connections too (PBSZ 0, PROT P).  The server's\n",
    "    certificate must chain to a trusted CA (the system store, or\n",
    "    --cacert/--capath) and name the host of the URL.\n",
    "\n",
    "COMMANDS\n",
    "    ls URL      List a directory as columns \"type size modify name\"\n",
    "                (without the . and .. entries): from MLSD when the server\n",
    "                supports it, else from LIST lines parsed as Unix or DOS\n",
    "                listings (modify then is \"YYYY-MM-DD HH:MM\", or\n",
    "                \"YYYY-MM-DD -\" when the line gives no time); a LIST line\n",
    "                that cannot be parsed is printed as it came.\n",
    "    get URL...  Download.  The local name is the URL's last path\n",
    "                component, in the current directory or in DIR (-O); a\n",
    "                name that is empty, \".\" or \"..\" is refused.  Several\n",
    "                URLs on one server share one session.  A file is created\n",
    "                only once data arrives; on failure the bytes received so\n",
    "                far stay in it (resume with -c) and the count is printed.\n",
    "    get -r URL  Mirror a remote directory tree into DIR (-O, created if\n",
    "                missing), else into a directory named after the URL's\n",
    "                last path component (the login directory needs -O).\n",
    "                Listed with MLSD, else LIST.  A listed name that is\n",
    "                empty, \".\" or \"..\", or contains '/', NUL or a control\n",
    "                character is refused with a warning; local symbolic\n",
    "                links are never followed; server symbolic links and\n",
    "                special files are skipped with a note; at most 64\n",
    "                levels deep.  Existing files are overwritten.  Exit\n",
    "                status: that of the first failure (10 for a refused\n",
    "                entry), after trying everything else.\n",
    "    put FILE URL\n",
    "                Upload FILE (\"-\" for standard input).  A URL ending in\n",
    "                '/' stores it under its base name in that directory.\n",
    "    rm URL...   Delete files (DELE).\n",
    "    mkdir URL...  Create directories (MKD).\n",
    "    rmdir URL...  Remove directories (RMD).\n",
    "    cmd URL COMMAND...\n",
    "                Send raw commands in order on one session (after a CWD\n",
    "                to the URL's path, if it has one) and print each full\n",
    "                reply on standard output.  A 4xx/5xx reply is printed\n",
    "                too and the next commands still run; the exit status is\n",
    "                that of the first failure.  Connection errors stop at\n",
    "                once.  Commands that open a data connection (LIST, RETR)\n",
    "                are not supported here.\n",
    "\n",
    "OPTIONS\n",
    "    -o, --output FILE     get: write to FILE (\"-\": standard output)\n",
    "    -O, --output-dir DIR  get: save files in DIR\n",
    "    -c, --continue        get: resume (REST) from the local file's size\n",
    "    -r, --recursive       get: mirror a directory tree (see get -r)\n",
    "        --nlst            ls: print names only (NLST)\n",
    "        --raw             ls: print the LIST lines as they come\n",
    "    -u, --user USER[:PASSWORD]\n",
    "                          log in as USER (a user in the URL wins)\n",
    "        --active          active mode (EPRT/PORT) instead of passive\n",
    "        --no-epsv         passive mode with PASV only, no EPSV\n",
    "        --ssl-reqd        ftp:// URLs: require explicit TLS (AUTH TLS)\n",
    "        --cacert FILE     trust the CA certificates in FILE (PEM) instead\n",
    "                          of the system store\n",
    "        --capath DIR      trust the CA certificates in DIR (hashed, as\n",
    "                          made by openssl rehash) instead of the system store\n",
    "    -k, --insecure        do not verify the server's certificate or host\n",
    "                          name (a warning is printed; for tests only)\n",
    "        --cert FILE       present the client certificate in FILE (PEM)\n",
    "        --key FILE        its private key (PEM; default: in --cert FILE)\n",
    "        --tlsv1.2         use TLS 1.2 or newer (the default)\n",
    "        --tlsv1.3         use TLS 1.3 or newer\n",
    "        --tls-max VERSION use at most TLS VERSION (1.2 or 1.3)\n",
    "    -4, --ipv4            connect over IPv4 only\n",
    "    -6, --ipv6            connect over IPv6 only\n",
    "        --timeout SECONDS connect, reply and data timeouts (default 30)\n",
    "    -q, --quiet           no progress bar and no notices\n",
    "    -v, --debug           trace commands and replies on stderr; twice\n",
    "                          (-vv) traces every line\n",
    "    -h, --help            show this text\n",
    "        --version         show the library version\n",
    "\n",
    "    A progress bar (bytes, percent, rate, ETA) is drawn on stderr when it\n",
    "    is a terminal, unless -q or -v is given.  Without it, get and put\n",
    "    between a regular file (or stdin/stdout) and a plain connection move\n",
    "    the data inside the kernel (splice/sendfile); the outcome is the same.\n",
    "\n",
    "AUTHENTICATION\n",
    "    The user comes from the URL, else --user, else the netrc file, else\n",
    "    the login is anonymous.  The password comes from the URL, else\n",
    "    --user, else $FTPKIT_PASSWORD (when a user is named), else the netrc\n",
    "    entry (machine/login/password/account, or default) of the host in\n",
    "    $NETRC or ~/.netrc.\n",
    "\n",
    "EXIT STATUS\n",
    "     0  success\n",
    "     1  usage error (bad option, URL or argument)\n",
    "     2  local file error\n",
    "     3  host name could not be resolved\n",
    "     4  connection or I/O error (refused, reset, closed by the server)\n",
    "     5  timeout\n",
    "     6  TLS or certificate error (also: --ssl-reqd and AUTH TLS refused)\n",
    "     7  login failed\n",
    "     8  permanent negative reply (5xx)\n",
    "     9  transient negative reply (4xx)\n",
    "    10  protocol error (malformed reply; get -r: a refused entry)\n",
    "    11  unexpected reply\n",
    "    12  aborted or interrupted\n",
    "    13  internal or other error\n",
    "\n",
    "EXAMPLES\n",
    "    ftpkit ls ftp://localhost:2121/pub/\n",
    "    ftpkit get -c ftp://user@localhost/big.iso\n",
    "    ftpkit get -O downloads ftp://localhost/a.txt ftp://localhost/b.txt\n",
    "    ftpkit get -r ftp://localhost/pub/docs/ -O docs\n",
    "    ftpkit put notes.txt ftp://user:secret@localhost/inbox/\n",
    "    ftpkit cmd ftp://localhost/ SYST 'STAT'\n",
    "    ftpkit ls --cacert ca.pem ftps://localhost/pub/\n",
    "    ftpkit get --ssl-reqd --cacert ca.pem ftp://user@localhost/report.pdf\n",
    NULL,
};

static void print_help(void) {
  for (size_t i = 0; help_text[i] != NULL; i++) fputs(help_text[i], stdout);
}

enum {
  OPT_ACTIVE = 256,
  OPT_NO_EPSV,
  OPT_TIMEOUT,
  OPT_VERSION,
  OPT_NLST,
  OPT_SSL_REQD,
  OPT_CACERT,
  OPT_CAPATH,
  OPT_CERT,
  OPT_KEY,
  OPT_TLS_MAX,
  OPT_TLSV1_2,
  OPT_TLSV1_3,
  OPT_RAW
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"output-dir", required_argument, NULL, 'O'},
    {"continue", no_argument, NULL, 'c'},
    {"nlst", no_argument, NULL, OPT_NLST},
    {"raw", no_argument, NULL, OPT_RAW},
    {"recursive", no_argument, NULL, 'r'},
    {"user", required_argument, NULL, 'u'},
    {"active", no_argument, NULL, OPT_ACTIVE},
    {"no-epsv", no_argument, NULL, OPT_NO_EPSV},
    {"ipv4", no_argument, NULL, '4'},
    {"ipv6", no_argument, NULL, '6'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"ssl-reqd", no_argument, NULL, OPT_SSL_REQD},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"capath", required_argument, NULL, OPT_CAPATH},
    {"insecure", no_argument, NULL, 'k'},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"tls-max", required_argument, NULL, OPT_TLS_MAX},
    {"tlsv1.2", no_argument, NULL, OPT_TLSV1_2},
    {"tlsv1.3", no_argument, NULL, OPT_TLSV1_3},
    {"quiet", no_argument, NULL, 'q'},
    {"debug", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

struct subcommand {
  const char *name;
  int (*run)(const struct cli_opts *o, char **args, int n);
};

static const struct subcommand subcommands[] = {
    {"ls", cmd_ls},       {"get", cmd_get},     {"put", cmd_put}, {"rm", cmd_rm},
    {"mkdir", cmd_mkdir}, {"rmdir", cmd_rmdir}, {"cmd", cmd_raw},
};

static int usage_error(void) {
  fputs("usage: " CLI_NAME
        " [OPTIONS] ls|get|put|rm|mkdir|rmdir|cmd ARGS...\n"
        "Try '" CLI_NAME " --help' for more information.\n",
        stderr);
  return CLI_EXIT_USAGE;
}

/* --timeout SECONDS (fractions allowed) into milliseconds.  0 or -1. */
static int parse_timeout(const char *arg, long *ms) {
  char *end = NULL;
  double secs;
  errno = 0;
  secs = strtod(arg, &end);
  if (errno != 0 || end == arg || *end != '\0' || !isfinite(secs) || secs <= 0 ||
      secs > 86400.0 * 365) {
    warnx_("invalid --timeout '%s' (seconds, more than 0)", arg);
    return -1;
  }
  *ms = (long)(secs * 1000.0);
  if (*ms < 1) *ms = 1;
  return 0;
}

/* --tls-max 1.2|1.3 into FTP_TLS_VERSION_*.  0 or -1. */
static int parse_tls_version(const char *arg, int *version) {
  if (strcmp(arg, "1.2") == 0) {
    *version = FTP_TLS_VERSION_1_2;
    return 0;
  }
  if (strcmp(arg, "1.3") == 0) {
    *version = FTP_TLS_VERSION_1_3;
    return 0;
  }
  warnx_("invalid --tls-max '%s' (1.2 or 1.3)", arg);
  return -1;
}

/* The FTPS options.  0, or -1 when `c` is not one of them. */
static int handle_tls_option(int c, struct cli_opts *o) {
  switch (c) {
    case OPT_SSL_REQD: o->ssl_reqd = 1; return 0;
    case 'k': o->insecure = 1; return 0;
    case OPT_CACERT: o->cacert = optarg; return 0;
    case OPT_CAPATH: o->capath = optarg; return 0;
    case OPT_CERT: o->cert = optarg; return 0;
    case OPT_KEY: o->key = optarg; return 0;
    case OPT_TLSV1_2: o->tls_min = FTP_TLS_VERSION_1_2; return 0;
    case OPT_TLSV1_3: o->tls_min = FTP_TLS_VERSION_1_3; return 0;
    default: return -1;
  }
}

/* One option.  0, 1 to stop with exit 0 (help/version), -1 on error. */
static int handle_option(int c, struct cli_opts *o) {
  switch (c) {
    case 'o': o->output = optarg; return 0;
    case 'O': o->outdir = optarg; return 0;
    case 'c': o->resume = 1; return 0;
    case OPT_NLST: o->nlst = 1; return 0;
    case OPT_RAW: o->raw = 1; return 0;
    case 'r': o->recursive = 1; return 0;
    case 'u': o->user_opt = optarg; return 0;
    case OPT_ACTIVE: o->active = 1; return 0;
    case OPT_NO_EPSV: o->no_epsv = 1; return 0;
    case '4': o->family = 4; return 0;
    case '6': o->family = 6; return 0;
    case OPT_TIMEOUT: return parse_timeout(optarg, &o->timeout_ms);
    case OPT_TLS_MAX: return parse_tls_version(optarg, &o->tls_max);
    case 'q': o->quiet = 1; return 0;
    case 'v': o->debug++; return 0;
    case 'h': print_help(); return 1;
    case OPT_VERSION: printf(CLI_NAME " %s\n", ftp_version_string()); return 1;
    default: return handle_tls_option(c, o); /* else getopt_long printed the problem */
  }
}

/* Options that only some subcommands take. */
static int check_combination(const char *cmd, const struct cli_opts *o) {
  int is_get = strcmp(cmd, "get") == 0;
  if (!is_get && (o->output || o->outdir || o->resume || o->recursive)) {
    warnx_("-o, -O, -c and -r apply to 'get' only");
    return -1;
  }
  if ((o->nlst || o->raw) && strcmp(cmd, "ls") != 0) {
    warnx_("--nlst and --raw apply to 'ls' only");
    return -1;
  }
  if (o->nlst && o->raw) {
    warnx_("--nlst and --raw exclude each other");
    return -1;
  }
  if (o->recursive && (o->output || o->resume)) {
    warnx_("-r excludes -o and -c");
    return -1;
  }
  if (o->output && o->outdir) {
    warnx_("-o and -O exclude each other");
    return -1;
  }
  if (o->resume && o->output && strcmp(o->output, "-") == 0) {
    warnx_("-c cannot resume standard output");
    return -1;
  }
  if (o->key != NULL && o->cert == NULL) {
    warnx_("--key needs --cert");
    return -1;
  }
  if (o->tls_min != 0 && o->tls_max != 0 && o->tls_min > o->tls_max) {
    warnx_("--tlsv1.3 and --tls-max 1.2 exclude each other");
    return -1;
  }
  return 0;
}

static const struct subcommand *find_subcommand(const char *name) {
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
    if (strcmp(subcommands[i].name, name) == 0) return &subcommands[i];
  return NULL;
}

/* Flush stdout, turning a write error into exit 2. */
static int finish(int code) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    warn_errno(errno, "write error on standard output");
    if (code == 0) code = CLI_EXIT_LOCAL;
  }
  return code;
}

int main(int argc, char **argv) {
  struct cli_opts o;
  const struct subcommand *sc;
  int c;
  memset(&o, 0, sizeof o);
  while ((c = getopt_long(argc, argv, "o:O:cru:46qvhk", long_options, NULL)) != -1) {
    int r = handle_option(c, &o);
    if (r != 0) return r > 0 ? finish(CLI_EXIT_OK) : usage_error();
  }
  if (optind >= argc) return usage_error();
  if (strcmp(argv[optind], "help") == 0) {
    print_help();
    return finish(CLI_EXIT_OK);
  }
  sc = find_subcommand(argv[optind]);
  if (sc == NULL) {
    warnx_("unknown command '%s'", argv[optind]);
    return usage_error();
  }
  if (check_combination(sc->name, &o) != 0) return usage_error();
  if (intr_setup() != 0) warnx_("continuing without Ctrl-C handling");
  return finish(sc->run(&o, argv + optind + 1, argc - optind - 1));
}
