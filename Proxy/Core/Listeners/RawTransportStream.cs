using System.IO.Pipelines;
using System.Net.Sockets;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// The bytes under a TLS stream the proxy terminates itself: reads from Kestrel's transport input
/// pipe (Kestrel keeps reading the socket into it, bounded), writes straight to the socket (so the
/// order of writes and a later shutdown is the socket's own); without a socket, to the output pipe.
/// </summary>
internal sealed class RawTransportStream(IDuplexPipe transport, Socket? socket) : Stream
{
    private readonly Stream _input = transport.Input.AsStream(leaveOpen: true);
    private readonly Stream? _output = socket is null ? transport.Output.AsStream(leaveOpen: true) : null;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_output is not null)
        {
            await _output.WriteAsync(buffer, cancellationToken);
            return;
        }

        while (!buffer.IsEmpty)
        {
            buffer = buffer[await socket!.SendAsync(buffer, SocketFlags.None, cancellationToken)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _output?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public override void Flush() => _output?.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _output?.Dispose();
        }

        base.Dispose(disposing);
    }
}
