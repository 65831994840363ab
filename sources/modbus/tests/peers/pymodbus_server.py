"""An independent Modbus TCP peer for the connector's tests, on pymodbus 3.16.

Serves typed values that it encodes itself (struct, and its own table of
byte orders), so that the connector's decoder is checked against code that
is not ours. Usage:

    python pymodbus_server.py --port PORT --spec SPEC.json
        [--corrupt-address A --corrupt-mode even|odd] [--silent-unit U ...]

SPEC.json:
    {"devices": [{"unit": 1, "values": [
        {"table": "hr", "address": 0, "type": "float32", "order": "CDAB", "value": 1.5},
        {"table": "co", "address": 3, "value": true}, ...]}]}

Tables: hr (holding), ir (input), co (coils), di (discrete inputs). Every
address not given a value is undefined: reading it is exception 02
(illegal data address), as on a PLC.

A request for a unit id the spec does not name is answered with an
exception (pymodbus 3.16 says 04, server device failure). Requests for a
--silent-unit are not answered at all (the client times out), as a gateway
whose device is dead may do. The spec must name that unit.

Prints "READY <port>" once it listens, then "REQ <unit> <function> <address>
<count>" for every request it receives (the tests count them).

--corrupt-address makes every non-exception answer to a request that starts
at that address carry the wrong byte count: "even" drops the last register
(byte count 2 less, a valid frame of the wrong size), "odd" drops the last
byte (an odd byte count, which the protocol does not allow).
"""

import argparse
import asyncio
import json
import struct
import sys

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

STRUCT = {
    "int16": "h",
    "uint16": "H",
    "int32": "i",
    "uint32": "I",
    "float32": "f",
    "float64": "d",
}

# Where the big-endian bytes A, B, C, ... of a value go, register by register.
ORDERS = {
    2: {"ABCD": "AB", "CDAB": "AB", "BADC": "BA", "DCBA": "BA"},
    4: {"ABCD": "ABCD", "CDAB": "CDAB", "BADC": "BADC", "DCBA": "DCBA"},
    8: {
        "ABCD": "ABCDEFGH",
        "CDAB": "GHEFCDAB",
        "BADC": "BADCFEHG",
        "DCBA": "HGFEDCBA",
    },
}


def encode(value, data_type, order):
    """The registers of a typed value in a byte order."""
    big = struct.pack(">" + STRUCT[data_type], value)
    layout = ORDERS[len(big)][order]
    data = bytes(big[ord(letter) - ord("A")] for letter in layout)
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def runs(cells):
    """Contiguous runs of {address: value}: [(start, [values])]."""
    result = []
    for address in sorted(cells):
        if result and result[-1][0] + len(result[-1][1]) == address:
            result[-1][1].append(cells[address])
        else:
            result.append((address, [cells[address]]))
    return result


def build_device(spec):
    registers = {"hr": {}, "ir": {}}
    bits = {"co": {}, "di": {}}
    for item in spec["values"]:
        table = item["table"]
        if table in bits:
            # pymodbus keeps 16 bits per cell: bit address a is bit a % 16 of cell a // 16.
            cell = bits[table].setdefault(item["address"] // 16, [False] * 16)
            cell[item["address"] % 16] = bool(item["value"])
        else:
            words = encode(item["value"], item["type"], item.get("order", "ABCD"))
            for offset, word in enumerate(words):
                registers[table][item["address"] + offset] = word
    blocks = {}
    for table, cells in registers.items():
        blocks[table] = [
            SimData(start, values=values, datatype=DataType.REGISTERS)
            for start, values in runs(cells)
        ] or [SimData(65000, values=[0], datatype=DataType.REGISTERS)]
    for table, cells in bits.items():
        blocks[table] = [
            SimData(start, values=[b for cell in values for b in cell], datatype=DataType.BITS)
            for start, values in runs(cells)
        ] or [SimData(4000, values=[False] * 16, datatype=DataType.BITS)]
    return SimDevice(
        spec["unit"],
        simdata=(blocks["co"], blocks["di"], blocks["hr"], blocks["ir"]),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--corrupt-address", type=int)
    parser.add_argument("--corrupt-mode", choices=["even", "odd"], default="even")
    parser.add_argument(
        "--silent-unit",
        type=int,
        action="append",
        default=[],
        help="leave requests for this unit id unanswered",
    )
    args = parser.parse_args()
    with open(args.spec, encoding="utf-8") as file:
        spec = json.load(file)
    devices = [build_device(device) for device in spec["devices"]]
    last_request = {"address": None}

    def trace_pdu(sending, pdu):
        if not sending:
            last_request["address"] = getattr(pdu, "address", None)
            print(
                f"REQ {pdu.dev_id} {pdu.function_code} {pdu.address} {pdu.count}",
                flush=True,
            )
        return pdu

    def trace_packet(sending, data):
        if sending and len(data) > 6 and data[6] in args.silent_unit:
            return b""  # nothing goes out: the client times out
        corrupt = (
            sending
            and args.corrupt_address is not None
            and last_request["address"] == args.corrupt_address
            and len(data) > 9
            and data[7] < 0x80
        )
        if not corrupt:
            return data
        frame = bytearray(data)
        cut = 2 if args.corrupt_mode == "even" else 1
        del frame[-cut:]
        frame[8] -= cut  # the byte count
        length = int.from_bytes(frame[4:6], "big") - cut
        frame[4:6] = length.to_bytes(2, "big")
        return bytes(frame)

    async def serve():
        server = ModbusTcpServer(
            devices,
            address=("127.0.0.1", args.port),
            trace_pdu=trace_pdu,
            trace_packet=trace_packet,
        )
        await server.serve_forever(background=True)
        print(f"READY {args.port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
