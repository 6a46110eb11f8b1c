/* Tests of src/plugin/plugin_tls.c: the AutoMTLS server certificate. */
#include <string.h>
#include <time.h>

#include "base/base_str.h"
#include "plugin/plugin_tls.h"
#include "t.h"

void test_plugin_tls__cert_properties(void)
{
	plugin_tls_cert *c = NULL;
	plugin_tls_cert_info info;
	size_t der_len = 0;
	int64_t now = (int64_t)time(NULL);
	T_OK(plugin_tls_cert_new(&c));
	const uint8_t *der = plugin_tls_cert_der(c, &der_len);
	T_ASSERT(der != NULL && der_len > 300 && der_len < 1000);
	T_OK(plugin_tls_cert_inspect(der, der_len, plugin_tls_key_pem(c), &info));
	T_ASSERT(info.san_localhost);
	T_ASSERT_STR(info.subject_cn, "localhost");
	T_ASSERT(info.is_ca);
	T_ASSERT(info.ku_digital_signature);
	T_ASSERT(info.ku_key_encipherment);
	T_ASSERT(info.ku_cert_sign);
	T_ASSERT(info.eku_server_auth);
	T_ASSERT(info.eku_client_auth);
	T_ASSERT(info.serial_positive);
	T_ASSERT(info.serial_bits >= 120 && info.serial_bits <= 127);
	T_ASSERT(info.self_signature_ok);
	T_ASSERT(info.key_matches);
	T_ASSERT_STR(info.key_group, "prime256v1");
	/* NotBefore backdated ~30 s; valid for decades */
	T_ASSERT_MSG(info.not_before <= now - 25 && info.not_before >= now - 40, "not_before %lld now %lld",
	             (long long)info.not_before, (long long)now);
	T_ASSERT(info.not_after - now > (int64_t)29 * 365 * 86400);
	T_ASSERT(base_str_has_prefix(plugin_tls_cert_pem(c), "-----BEGIN CERTIFICATE-----\n"));
	T_ASSERT(base_str_has_prefix(plugin_tls_key_pem(c), "-----BEGIN PRIVATE KEY-----\n"));
	T_OK(plugin_tls_check_pem_cert(plugin_tls_cert_pem(c)));
	plugin_tls_cert_free(c);
}

void test_plugin_tls__fresh_per_call(void)
{
	plugin_tls_cert *a = NULL, *b = NULL;
	plugin_tls_cert_info ia, ib;
	size_t la, lb;
	T_OK(plugin_tls_cert_new(&a));
	T_OK(plugin_tls_cert_new(&b));
	const uint8_t *da = plugin_tls_cert_der(a, &la);
	const uint8_t *db = plugin_tls_cert_der(b, &lb);
	T_ASSERT(la != lb || memcmp(da, db, la) != 0);
	T_ASSERT(strcmp(plugin_tls_key_pem(a), plugin_tls_key_pem(b)) != 0);
	/* a's certificate does not match b's key */
	T_OK(plugin_tls_cert_inspect(da, la, plugin_tls_key_pem(b), &ia));
	T_ASSERT(!ia.key_matches);
	T_OK(plugin_tls_cert_inspect(db, lb, NULL, &ib));
	T_ASSERT(!ib.key_matches);
	plugin_tls_cert_free(a);
	plugin_tls_cert_free(b);
	plugin_tls_cert_free(NULL);
}

void test_plugin_tls__check_client_pem(void)
{
	T_ASSERT_INT(plugin_tls_check_pem_cert(NULL), BASE_EINVALID);
	T_ASSERT_INT(plugin_tls_check_pem_cert(""), BASE_EINVALID);
	T_ASSERT_INT(
	        plugin_tls_check_pem_cert("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
	        BASE_EINVALID);
	T_ASSERT_INT(plugin_tls_check_pem_cert("hello"), BASE_EINVALID);
}

void test_plugin_tls__inspect_rejects_garbage(void)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	plugin_tls_cert_info info;
	T_ASSERT_INT(plugin_tls_cert_inspect(junk, sizeof junk, NULL, &info), BASE_EINVALID);
	T_ASSERT_INT(plugin_tls_cert_inspect(NULL, 0, NULL, &info), BASE_EINVALID);
}
