#!/usr/bin/perl
# Perl: the #! line naming perl makes this .pl file Perl (else it is Prolog).
use strict;
use warnings;

local $/;
my ($a, $b) = split ' ', <STDIN>;
print $a + $b, "\n";
