"""Protobuf payload schemas: compile `.proto` text with protoc, read the descriptors, compare them.

The toolchain is the optional `grpcio-tools` package (protoc and the well-known types, bundled);
without it every Protobuf schema gets one InputError naming the install command.
"""
