"""An independent OPC UA server for steamflow's connector tests (python asyncua).

Serves, in namespace 2 (urn:steamflow:test), variables that change every
--period-ms:

    ns=2;s=boiler.flow       Double, 1000*generation + n (history kept)
    ns=2;s=boiler.pressure   Float, 10 + n/10 (no history)
    ns=2;s=counter.int       Int32, n
    ns=2;s=trap.ok           Boolean, alternating
    ns=2;s=boiler.uncertain  Double with status UncertainLastUsableValue
    ns=2;s=boiler.bad        Double with status BadSensorFailure
    ns=2;s=boiler.name       String (not a number)

Security: --security none | sign | encrypt | all (all offers the three).
The server certificate and key are created once in --pki and reused on
restart, so a client that trusted it keeps trusting it. --user NAME:PASS
allows only that user (no anonymous access). Prints "READY <url>" when
listening.
"""

import argparse
import asyncio
import datetime
import ipaddress
import logging
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from asyncua import Server, ua
from asyncua.crypto.cert_gen import (
    dump_private_key_as_pem,
    generate_private_key,
    generate_self_signed_app_certificate,
)
from asyncua.crypto.permission_rules import User, UserRole

APP_URI = "urn:steamflow:test:asyncua"


def ensure_certificate(pki: Path) -> tuple[Path, Path]:
    pki.mkdir(parents=True, exist_ok=True)
    cert_path = pki / "server_cert.der"
    key_path = pki / "server_key.pem"
    if cert_path.is_file() and key_path.is_file():
        return cert_path, key_path
    key = generate_private_key()
    names = [
        x509.UniformResourceIdentifier(APP_URI),
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    cert = generate_self_signed_app_certificate(
        key, "steamflow-test-asyncua", {}, names, [ExtendedKeyUsageOID.SERVER_AUTH], days=30
    )
    key_path.write_bytes(dump_private_key_as_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return cert_path, key_path


class OneUser:
    def __init__(self, name: str, password: str) -> None:
        self.name = name
        self.password = password

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username == self.name and password == self.password:
            return User(role=UserRole.User)
        return None


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pki", type=Path, required=True)
    parser.add_argument("--security", default="none", choices=["none", "sign", "encrypt", "all"])
    parser.add_argument("--user", default=None)
    parser.add_argument("--period-ms", type=int, default=100)
    parser.add_argument("--generation", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    user_manager = None
    if args.user:
        name, _, password = args.user.partition(":")
        user_manager = OneUser(name, password)
    server = Server(user_manager=user_manager)
    await server.init()
    url = f"opc.tcp://127.0.0.1:{args.port}/"
    server.set_endpoint(url)
    server.set_server_name("steamflow test peer (asyncua)")
    await server.set_application_uri(APP_URI)
    policies = {
        "none": [ua.SecurityPolicyType.NoSecurity],
        "sign": [ua.SecurityPolicyType.Basic256Sha256_Sign],
        "encrypt": [ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt],
        "all": [
            ua.SecurityPolicyType.NoSecurity,
            ua.SecurityPolicyType.Basic256Sha256_Sign,
            ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
        ],
    }[args.security]
    server.set_security_policy(policies)
    cert_path, key_path = ensure_certificate(args.pki)
    await server.load_certificate(str(cert_path))
    await server.load_private_key(str(key_path))
    if args.user:
        server.set_identity_tokens([ua.UserNameIdentityToken])

    idx = await server.register_namespace("urn:steamflow:test")
    folder = await server.nodes.objects.add_folder(idx, "plant")

    async def var(name, value, vtype):
        node = await folder.add_variable(ua.NodeId(name, idx), name, ua.Variant(value, vtype))
        return node

    flow = await var("boiler.flow", 0.0, ua.VariantType.Double)
    pressure = await var("boiler.pressure", 10.0, ua.VariantType.Float)
    counter = await var("counter.int", 0, ua.VariantType.Int32)
    trap = await var("trap.ok", True, ua.VariantType.Boolean)
    uncertain = await var("boiler.uncertain", 1.0, ua.VariantType.Double)
    bad = await var("boiler.bad", 2.0, ua.VariantType.Double)
    await var("boiler.name", "Boiler 1", ua.VariantType.String)
    await server.historize_node_data_change(flow, period=None, count=100000)

    async with server:
        print(f"READY {url}", flush=True)
        n = 0
        while True:
            n += 1
            now = datetime.datetime.now(datetime.timezone.utc)

            def dv(value, vtype, status=ua.StatusCodes.Good):
                return ua.DataValue(
                    ua.Variant(value, vtype),
                    StatusCode=ua.StatusCode(status),
                    SourceTimestamp=now,
                    ServerTimestamp=now,
                )

            await flow.write_value(dv(1000.0 * args.generation + n, ua.VariantType.Double))
            await pressure.write_value(dv(10.0 + n / 10.0, ua.VariantType.Float))
            await counter.write_value(dv(n, ua.VariantType.Int32))
            await trap.write_value(dv(n % 2 == 0, ua.VariantType.Boolean))
            await uncertain.write_value(
                dv(float(n), ua.VariantType.Double, ua.StatusCodes.UncertainLastUsableValue)
            )
            await bad.write_value(dv(float(n), ua.VariantType.Double, ua.StatusCodes.BadSensorFailure))
            await asyncio.sleep(args.period_ms / 1000.0)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
