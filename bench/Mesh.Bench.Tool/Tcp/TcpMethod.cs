using System.Globalization;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>How the TCP rows were taken, written next to them.</summary>
public static class TcpMethod
{
    public static string Describe(BenchSettings s) => string.Create(CultureInfo.InvariantCulture, $"TCP rows: the backend is a .NET echo server (mesh-bench tcp-echo-backend) on the CPUs under test; the generator (mesh-bench tcp-load) on the load CPUs. Per configuration and round: bulk — {s.TcpBulkConnections} connections each writing {TcpLoadCommand.BulkWriteBytes / 1024} KB chunks as fast as the path takes them while reading the echo, {s.SaturationSeconds:0} s: MB/s of payload that came back (each byte crossed the path twice) and the same per second of proxy CPU (all proxies of the path); short connections — {s.Connections} workers each connecting, echoing 1 byte, half-closing and waiting for the close, {s.SaturationSeconds:0} s: connections/s and proxy CPU µs per connection; latency — 1-byte echoes at {s.Rate:0}/s on {s.OpenLoopConnections} persistent connections for {s.OpenLoopSeconds:0} s after a {s.OpenLoopWarmupSeconds:0} s unrecorded warm-up, each timed from its scheduled send time (open loop). References: HAProxy in TCP mode (one thread), nginx stream (one worker per process), two nginx with mutual TLS between them (ECDSA P-256 certificates from a private CA, nginx's default session reuse) for the mTLS path.");
}
