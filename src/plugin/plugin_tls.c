/*
 * plugin_tls.c - ephemeral P-256 key + self-signed certificate for AutoMTLS.
 * The only OpenSSL user in src/plugin (STYLE.md C8). See plugin_tls.h.
 */
#include "plugin/plugin_tls.h"

#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/base_alloc.h"
#include "base/base_log.h"

/* Go's generator uses 262980 h (~30 years); whole days are enough here. */
#define CERT_VALID_DAYS 10957
/* Backdate NotBefore for clock skew between Terraform and the plugin. */
#define CERT_BACKDATE_SECONDS 30

struct plugin_tls_cert {
	char *cert_pem;
	char *key_pem;
	size_t key_pem_len;
	uint8_t *der;
	size_t der_len;
};

/* Logs and clears OpenSSL's error queue for this thread. */
static void log_ossl(const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256] = "";
	if (e != 0)
		ERR_error_string_n(e, msg, sizeof msg);
	BASE_DEBUG("plugin", "tls: %s failed: %s", what, msg);
	ERR_clear_error();
}

/* Copies a memory BIO's contents into a fresh NUL-terminated heap string. */
static char *bio_to_str(BIO *bio, size_t *len_out)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		n = 0;
	char *s = base_xstrndup(p, (size_t)n);
	if (len_out)
		*len_out = (size_t)n;
	return s;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (ext == NULL)
		return BASE_ERR;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? BASE_OK : BASE_ERR;
}

/* Random serial: 16 bytes with the top bit cleared (positive, < 2^127) and
 * the next bit set (never zero, constant length). */
static int set_serial(X509 *x)
{
	unsigned char rnd[16];
	int rc = BASE_ERR;
	BIGNUM *bn = NULL;
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		goto done;
	rnd[0] = (unsigned char)((rnd[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(rnd, sizeof rnd, NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto done;
	rc = BASE_OK;
done:
	BN_free(bn);
	return rc;
}

/*
 * Puts pkey's public key into x's SubjectPublicKeyInfo (id-ecPublicKey,
 * namedCurve prime256v1, the uncompressed point) from its raw octets.
 * X509_set_pubkey would do the same through OpenSSL 3's encoder
 * machinery, whose first use costs about a millisecond on the start-up
 * path (exec -> handshake). Errors: BASE_ERR.
 */
static int set_p256_pubkey(X509 *x, EVP_PKEY *pkey)
{
	unsigned char point[65]; /* 0x04 || X || Y for P-256 */
	size_t point_len = 0;
	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point,
	                                    &point_len) != 1 ||
	    point_len != sizeof point)
		return BASE_ERR;
	unsigned char *enc = OPENSSL_memdup(point, point_len);
	if (enc == NULL)
		return BASE_ERR;
	/* set0: on success the SPKI owns enc; the two OIDs are static */
	if (X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
	                           V_ASN1_OBJECT, OBJ_nid2obj(NID_X9_62_prime256v1), enc,
	                           (int)point_len) != 1) {
		OPENSSL_free(enc);
		return BASE_ERR;
	}
	return BASE_OK;
}

static int build_cert(EVP_PKEY *pkey, X509 **out)
{
	int rc = BASE_ERR;
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	X509V3_CTX v3;
	*out = NULL;
	if (x == NULL || X509_set_version(x, 2) != 1 || set_serial(x) != BASE_OK)
		goto done;
	if (X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACKDATE_SECONDS) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), CERT_VALID_DAYS, 0, NULL) == NULL)
		goto done;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
	                               0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || set_p256_pubkey(x, pkey) != BASE_OK)
		goto done;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") != BASE_OK ||
	    add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign") !=
	            BASE_OK ||
	    add_ext(x, &v3, NID_ext_key_usage, "serverAuth,clientAuth") != BASE_OK ||
	    add_ext(x, &v3, NID_subject_alt_name, "DNS:localhost") != BASE_OK ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") != BASE_OK)
		goto done;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto done;
	*out = x;
	x = NULL;
	rc = BASE_OK;
done:
	X509_free(x);
	return rc;
}

int plugin_tls_cert_new(plugin_tls_cert **out)
{
	int rc = BASE_ERR;
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	BIO *bio = NULL;
	unsigned char *der = NULL;
	plugin_tls_cert *c = NULL;
	*out = NULL;

	pkey = EVP_EC_gen("P-256");
	if (pkey == NULL) {
		log_ossl("P-256 key generation");
		goto done;
	}
	if (build_cert(pkey, &x) != BASE_OK) {
		log_ossl("certificate");
		goto done;
	}
	c = base_xcalloc(1, sizeof *c);
	int der_len = i2d_X509(x, &der);
	if (der_len <= 0) {
		log_ossl("DER encoding");
		goto done;
	}
	c->der = base_xmalloc((size_t)der_len);
	memcpy(c->der, der, (size_t)der_len);
	c->der_len = (size_t)der_len;

	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_X509(bio, x) != 1) {
		log_ossl("certificate PEM");
		goto done;
	}
	c->cert_pem = bio_to_str(bio, NULL);
	BIO_free(bio);
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL || PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		log_ossl("key PEM");
		goto done;
	}
	c->key_pem = bio_to_str(bio, &c->key_pem_len);
	*out = c;
	c = NULL;
	rc = BASE_OK;
done:
	BIO_free(bio);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(pkey);
	plugin_tls_cert_free(c);
	return rc;
}

void plugin_tls_cert_free(plugin_tls_cert *c)
{
	if (c == NULL)
		return;
	if (c->key_pem != NULL)
		OPENSSL_cleanse(c->key_pem, c->key_pem_len);
	base_free(c->key_pem);
	base_free(c->cert_pem);
	base_free(c->der);
	base_free(c);
}

const char *plugin_tls_cert_pem(const plugin_tls_cert *c)
{
	return c->cert_pem;
}

const char *plugin_tls_key_pem(const plugin_tls_cert *c)
{
	return c->key_pem;
}

const uint8_t *plugin_tls_cert_der(const plugin_tls_cert *c, size_t *len_out)
{
	*len_out = c->der_len;
	return c->der;
}

int plugin_tls_check_pem_cert(const char *pem)
{
	int rc = BASE_EINVALID;
	BIO *bio = NULL;
	X509 *x = NULL;
	if (pem == NULL || *pem == '\0')
		goto done;
	bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		goto done;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL)
		goto done;
	rc = BASE_OK;
done:
	if (rc != BASE_OK)
		ERR_clear_error();
	X509_free(x);
	BIO_free(bio);
	return rc;
}

static int64_t asn1_time_to_unix(const ASN1_TIME *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

static bool has_san_localhost(X509 *x)
{
	bool found = false;
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type != GEN_DNS)
			continue;
		const ASN1_IA5STRING *s = gn->d.dNSName;
		if (ASN1_STRING_length(s) == 9 && memcmp(ASN1_STRING_get0_data(s), "localhost", 9) == 0)
			found = true;
	}
	GENERAL_NAMES_free(names);
	return found;
}

static void fill_key_info(X509 *x, const char *key_pem, plugin_tls_cert_info *info)
{
	EVP_PKEY *pub = X509_get0_pubkey(x);
	size_t glen = 0;
	if (pub != NULL) {
		info->self_signature_ok = X509_verify(x, pub) == 1;
		if (EVP_PKEY_get_group_name(pub, info->key_group, sizeof info->key_group, &glen) != 1)
			info->key_group[0] = '\0';
	}
	if (key_pem != NULL) {
		BIO *bio = BIO_new_mem_buf(key_pem, -1);
		EVP_PKEY *priv = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
		info->key_matches = priv != NULL && X509_check_private_key(x, priv) == 1;
		EVP_PKEY_free(priv);
		BIO_free(bio);
	}
}

int plugin_tls_cert_inspect(const uint8_t *der, size_t len, const char *key_pem, plugin_tls_cert_info *info)
{
	int rc = BASE_EINVALID;
	const unsigned char *p = der;
	X509 *x = NULL;
	BIGNUM *serial = NULL;
	memset(info, 0, sizeof *info);
	if (der == NULL || len == 0 || len > 65536)
		goto done;
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len)
		goto done;

	uint32_t flags = X509_get_extension_flags(x);
	info->is_ca = (flags & EXFLAG_CA) != 0;
	uint32_t ku = X509_get_key_usage(x);
	info->ku_digital_signature = (ku & KU_DIGITAL_SIGNATURE) != 0;
	info->ku_key_encipherment = (ku & KU_KEY_ENCIPHERMENT) != 0;
	info->ku_cert_sign = (ku & KU_KEY_CERT_SIGN) != 0;
	uint32_t xku = X509_get_extended_key_usage(x);
	info->eku_server_auth = (xku & XKU_SSL_SERVER) != 0;
	info->eku_client_auth = (xku & XKU_SSL_CLIENT) != 0;
	info->san_localhost = has_san_localhost(x);

	serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (serial != NULL) {
		info->serial_positive = !BN_is_negative(serial) && !BN_is_zero(serial);
		info->serial_bits = BN_num_bits(serial);
	}
	info->not_before = asn1_time_to_unix(X509_get0_notBefore(x));
	info->not_after = asn1_time_to_unix(X509_get0_notAfter(x));
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, info->subject_cn,
	                              (int)sizeof info->subject_cn) < 0)
		info->subject_cn[0] = '\0';
	fill_key_info(x, key_pem, info);
	rc = BASE_OK;
done:
	ERR_clear_error();
	BN_free(serial);
	X509_free(x);
	return rc;
}
