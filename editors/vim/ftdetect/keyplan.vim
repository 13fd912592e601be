" .kp files are keyplan policies.
autocmd BufRead,BufNewFile *.kp setfiletype keyplan
