#!/bin/sh
# Regenerates Mnemonic.java from the opcode table (run after adding table lines; needs compiled classes).
set -e
cd "$(dirname "$0")"
out=${1:-target-isa}
"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$out/classes" org.jkvm.isa.TableSource > /tmp/jkvm-mnemonics.txt
{
  echo 'package org.jkvm.isa;'
  echo
  echo '/** Instruction mnemonics (generated from the opcode table by isa/genmnemonics.sh; INVALID for bad encodings). */'
  echo 'public enum Mnemonic {'
  echo '    INVALID,'
  sort -u /tmp/jkvm-mnemonics.txt | sed 's/^/    /; s/$/,/'
  echo '}'
} > /tmp/jkvm-Mnemonic.java
mv /tmp/jkvm-Mnemonic.java src/main/java/org/jkvm/isa/Mnemonic.java
