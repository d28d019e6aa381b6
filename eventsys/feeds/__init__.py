"""Calendar subscription feeds (webcal) for experts and organisers."""
