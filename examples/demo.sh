#!/bin/sh
# make demo: two logins against examples/passwd, as qmail-popup would run checkpassword-passwd.
# The passwords are examples/passwd's: bob's is "bob-secret" (sha512crypt), alice's "alice-secret" (yescrypt).
cd "$(dirname "$0")/.." || exit 111
prog=./bin/checkpassword-passwd
store="--passwd examples/passwd --shadow none --log stderr"

echo "== 1. bob with his password: checkpassword-passwd runs prog (here: id, then env) as bob"
printf 'bob\0bob-secret\0<4711.1700000000@mail.example>\0' |
  $prog $store sh -c 'id; env | sort | grep -E "^(USER|HOME|SHELL)="' 3<&0
echo "   exit $? = prog's own status: 0 means the login was accepted and prog ran"
echo
echo "== 2. alice with a wrong password: prog never runs"
printf 'alice\0not-her-password\0<4711.1700000001@mail.example>\0' |
  $prog $store id 3<&0
echo "   exit $? = 1: login refused (2 would be misuse, 111 a temporary problem)"
