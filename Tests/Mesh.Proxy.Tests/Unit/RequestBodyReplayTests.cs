using Mesh.Proxy.Core.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Tests.Unit;

public sealed class RequestBodyReplayTests
{
    [Theory]
    [InlineData(10, null, 3)]
    [InlineData(10, 10L, 4096)]
    [InlineData(70_000, null, 8192)]
    [InlineData(64 * 1024, 64L * 1024, 1000)]
    public async Task Every_attempt_reads_the_whole_body_while_it_fits(int size, long? contentLength, int chunk)
    {
        var body = Enumerable.Range(0, size).Select(i => (byte)(i % 251)).ToArray();
        var context = new DefaultHttpContext();
        context.Request.Body = new TrickleStream(body, chunk);
        context.Request.ContentLength = contentLength;

        var replay = RequestBodyReplay.Prepare(context);
        var first = await ReadAllAsync(context.Request.Body, chunk);
        Assert.Equal(body, first);

        if (size <= RequestBodyReplay.MaxBufferedBytes)
        {
            Assert.True(replay.CanReplay);
            replay.Rewind(context);
            Assert.Equal(body, await ReadAllAsync(context.Request.Body, 7));
            replay.Rewind(context);
            Assert.Equal(body, await ReadAllAsync(context.Request.Body, 100_000));
        }
        else
        {
            Assert.False(replay.CanReplay);
        }
    }

    [Fact]
    public async Task A_partially_read_body_is_replayed_and_then_continued_from_the_caller()
    {
        var body = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var context = new DefaultHttpContext();
        context.Request.Body = new TrickleStream(body, 100);
        var replay = RequestBodyReplay.Prepare(context);

        var partial = new byte[250];
        var read = 0;
        while (read < 250)
        {
            read += await context.Request.Body.ReadAsync(partial.AsMemory(read));
        }

        Assert.True(replay.CanReplay);
        replay.Rewind(context);
        Assert.Equal(body, await ReadAllAsync(context.Request.Body, 64));
    }

    [Fact]
    public async Task A_large_body_with_known_length_cannot_be_replayed_once_read_but_can_before()
    {
        var body = new byte[100_000];
        var context = new DefaultHttpContext();
        context.Request.Body = new TrickleStream(body, 4096);
        context.Request.ContentLength = body.Length;
        var replay = RequestBodyReplay.Prepare(context);

        Assert.True(replay.CanReplay); // nothing read yet: a connect failure may still be retried
        Assert.True(await context.Request.Body.ReadAsync(new byte[10]) > 0);
        Assert.False(replay.CanReplay);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int chunk)
    {
        var output = new MemoryStream();
        var buffer = new byte[chunk];
        while (true)
        {
            // Like YARP's StreamCopier: wait for data with a zero-byte read, then read it.
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return output.ToArray();
            }

            output.Write(buffer, 0, read);
        }
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, like a network stream.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
