"""GB/T 26875.3-2011 gateway for user information transmission devices (用户信息传输装置): codec, TCP
server, simulator, decoder. See codec.py for the frame and server.py for the process."""
