#!/bin/sh
# Test credential_process: prints credentials as the AWS CLI expects.
# $1 = a counter file (one line appended per run), $2 = Expiration (optional),
# $3 = exit status to use (optional, default 0).
[ -n "$1" ] && echo run >> "$1"
if [ -n "$3" ] && [ "$3" != 0 ]; then
	exit "$3"
fi
if [ -n "$2" ]; then
	printf '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "%s"}\n' "$2"
else
	printf '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret"}\n'
fi
