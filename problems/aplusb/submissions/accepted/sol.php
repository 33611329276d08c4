<?php
// PHP
[$a, $b] = preg_split('/\s+/', trim(stream_get_contents(STDIN)));
echo intval($a) + intval($b), "\n";
