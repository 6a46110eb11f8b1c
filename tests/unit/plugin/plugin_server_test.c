/* Tests of src/plugin/plugin_server.c that need no network: registration
 * rules and the magic-cookie refusal of plugin_serve. Serving itself is
 * covered by tests/plugin/run.sh (it ends the process). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/plugin_server.h"
#include "plugin/plugin_tls.h"
#include "t.h"

static int nop(void *ctx, const uint8_t *req, size_t req_len, base_buf *resp)
{
	(void)ctx;
	(void)req;
	(void)req_len;
	(void)resp;
	return PLUGIN_STATUS_OK;
}

void test_plugin_server__register_rules(void)
{
	plugin_server *s = NULL;
	T_OK(plugin_server_new(&s));
	T_OK(plugin_server_register(s, "/tfplugin6.Provider/GetProviderSchema", nop, NULL));
	T_ASSERT_INT(plugin_server_register(s, "/tfplugin6.Provider/GetProviderSchema", nop, NULL),
	             BASE_ECONFLICT);
	T_ASSERT_INT(plugin_server_register(s, "/plugin.GRPCController/Shutdown", nop, NULL), BASE_ECONFLICT);
	T_ASSERT_INT(plugin_server_register(s, "/grpc.health.v1.Health/Check", nop, NULL), BASE_ECONFLICT);
	T_ASSERT_INT(plugin_server_register(s, "tfplugin6.Provider/X", nop, NULL), BASE_EINVALID);
	T_ASSERT_INT(plugin_server_register(s, NULL, nop, NULL), BASE_EINVALID);
	T_ASSERT_INT(plugin_server_register(s, "/a/b", NULL, NULL), BASE_EINVALID);
	/* many registrations grow the table */
	for (int i = 0; i < 40; i++) {
		char p[32];
		snprintf(p, sizeof p, "/x.Y/M%d", i);
		T_OK(plugin_server_register(s, p, nop, NULL));
	}
	plugin_server_free(s);
	plugin_server_free(NULL);
}

/* Runs plugin_serve with the given cookie (NULL = unset) and captures what
 * it writes to fd 1 and fd 2. */
static int serve_captured(const char *cookie, char *out, size_t out_sz, char *err, size_t err_sz)
{
	plugin_server *s = NULL;
	int po[2], pe[2];
	if (plugin_server_new(&s) != BASE_OK || pipe(po) != 0 || pipe(pe) != 0)
		return -100;
	fflush(stdout);
	fflush(stderr);
	int save1 = dup(1), save2 = dup(2);
	dup2(po[1], 1);
	dup2(pe[1], 2);
	close(po[1]);
	close(pe[1]);
	if (cookie)
		setenv("TF_PLUGIN_MAGIC_COOKIE", cookie, 1);
	else
		unsetenv("TF_PLUGIN_MAGIC_COOKIE");
	int rc = plugin_serve(s);
	fflush(stdout);
	fflush(stderr);
	dup2(save1, 1);
	dup2(save2, 2);
	close(save1);
	close(save2);
	ssize_t n = read(po[0], out, out_sz - 1);
	out[n > 0 ? n : 0] = '\0';
	n = read(pe[0], err, err_sz - 1);
	err[n > 0 ? n : 0] = '\0';
	close(po[0]);
	close(pe[0]);
	plugin_server_free(s);
	unsetenv("TF_PLUGIN_MAGIC_COOKIE");
	return rc;
}

void test_plugin_server__wrong_cookie_exits_1_with_message(void)
{
	char out[256], err[1024];
	T_ASSERT_INT(serve_captured("nope", out, sizeof out, err, sizeof err), 1);
	T_ASSERT_STR(out, ""); /* nothing on stdout: it would be taken for the handshake */
	T_ASSERT_MSG(strstr(err, "This binary is a plugin. These are not meant to be executed directly.") !=
	                     NULL,
	             "stderr: %s", err);
	T_ASSERT(strstr(err, "Please execute the program that consumes these plugins") != NULL);
}

void test_plugin_server__missing_cookie_exits_1(void)
{
	char out[256], err[1024];
	T_ASSERT_INT(serve_captured(NULL, out, sizeof out, err, sizeof err), 1);
	T_ASSERT_STR(out, "");
	T_ASSERT(strstr(err, "This binary is a plugin.") != NULL);
}

/* With the cookie set, plugin_server_new starts preparing the listener in
 * the background; freeing an unserved server must undo that cleanly. */
void test_plugin_server__prepared_but_not_served_frees_cleanly(void)
{
	plugin_server *s = NULL;
	plugin_global_init();
	setenv("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
	       1);
	unsetenv("PLUGIN_CLIENT_CERT");
	T_OK(plugin_server_new(&s));
	plugin_server_free(s);
	/* with mTLS: a certificate is generated and the TLS listener built */
	setenv("PLUGIN_CLIENT_CERT",
	       "-----BEGIN CERTIFICATE-----\n"
	       "MIIBfjCCASOgAwIBAgIUGTdjsNTpBfGkb0kDYaUTZTJALGUwCgYIKoZIzj0EAwIw\n"
	       "FDESMBAGA1UEAwwJbG9jYWxob3N0MB4XDTI2MTEyNjE5NDQ1NVoXDTI2MTEyODE5\n"
	       "NDQ1NVowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
	       "AQcDQgAE\n"
	       "-----END CERTIFICATE-----\n",
	       1);
	T_OK(plugin_server_new(&s)); /* broken PEM: prepare fails, free still fine */
	plugin_server_free(s);
	plugin_tls_cert *client = NULL;
	T_OK(plugin_tls_cert_new(&client));
	setenv("PLUGIN_CLIENT_CERT", plugin_tls_cert_pem(client), 1);
	T_OK(plugin_server_new(&s));
	plugin_server_free(s);
	plugin_tls_cert_free(client);
	unsetenv("PLUGIN_CLIENT_CERT");
	unsetenv("TF_PLUGIN_MAGIC_COOKIE");
}
