using System.Net;
using System.Text;
using Mesh.Proxy.Core.Yarp.Http1;
using Mesh.Proxy.Tests.Infrastructure;

namespace Mesh.Proxy.Tests.Unit;

/// <summary>
/// The mesh's upstream HTTP/1.1 client (<see cref="MeshHttp1Handler"/>) against scripted upstreams
/// on real sockets: response framing (Content-Length, chunked with trailers, close-delimited, no
/// body), interim responses, keep-alive reuse only after a complete response, and the stale pooled
/// connection HttpClient also retries.
/// </summary>
public sealed class MeshHttp1ClientTests : IDisposable
{
    private readonly HttpMessageInvoker _client = new(new MeshHttp1Handler(new SocketsHttpHandler { UseProxy = false }));

    public void Dispose() => _client.Dispose();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, int port, string path = "/", HttpContent? content = null) =>
        _client.SendAsync(new HttpRequestMessage(method, $"http://127.0.0.1:{port}{path}") { Version = HttpVersion.Version11, Content = content }, CancellationToken.None);

    private static Func<int, ScriptedUpstream.UpstreamConnection, Task> Serve(Func<string, string> response) => async (_, connection) =>
    {
        while (await connection.ReadHeadAsync() is { } head)
        {
            await connection.WriteAsync(response(head));
        }
    };

    [Fact]
    public async Task Keep_alive_connections_are_reused_for_sequential_requests()
    {
        await using var upstream = new ScriptedUpstream(Serve(head => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(HttpMethod.Get, upstream.Port, $"/r{i}?q=1");
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, upstream.Accepted);
        Assert.StartsWith("GET /r2?q=1 HTTP/1.1\r\n", upstream.Requests[2]);
        Assert.Contains($"Host: 127.0.0.1:{upstream.Port}\r\n", upstream.Requests[2]);
    }

    [Fact]
    public async Task Chunked_body_with_trailers_is_reassembled_and_the_trailers_kept()
    {
        await using var upstream = new ScriptedUpstream(Serve(_ =>
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n"
            + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-checksum: abc\r\n\r\n"));

        using var response = await SendAsync(HttpMethod.Get, upstream.Port);
        Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
        Assert.Equal(["abc"], response.TrailingHeaders.GetValues("x-checksum"));

        // Read to its end, the connection serves the next request.
        using var second = await SendAsync(HttpMethod.Get, upstream.Port);
        Assert.Equal("hello world", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task Close_delimited_body_ends_at_close_and_the_connection_is_not_reused()
    {
        await using var upstream = new ScriptedUpstream(async (_, connection) =>
        {
            await connection.ReadHeadAsync();
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
        });

        for (var i = 0; i < 2; i++)
        {
            using var response = await SendAsync(HttpMethod.Get, upstream.Port);
            Assert.Equal("until the end", await response.Content.ReadAsStringAsync());
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        }

        Assert.Equal(2, upstream.Accepted);
    }

    [Fact]
    public async Task A_response_larger_than_the_buffers_streams_through_intact()
    {
        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(16).NextBytes(body);
        await using var upstream = new ScriptedUpstream(async (_, connection) =>
        {
            while (await connection.ReadHeadAsync() is not null)
            {
                await connection.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n");
                await connection.WriteAsync(body);
            }
        });

        using var response = await SendAsync(HttpMethod.Get, upstream.Port);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        using var second = await SendAsync(HttpMethod.Get, upstream.Port);
        Assert.Equal(body.Length, (await second.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task Interim_responses_are_skipped_and_bodiless_responses_read_no_body()
    {
        await using var upstream = new ScriptedUpstream(async (_, connection) =>
        {
            while (await connection.ReadHeadAsync() is { } head)
            {
                await connection.WriteAsync(head.StartsWith("HEAD", StringComparison.Ordinal)
                    ? "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                    : head.Contains("/no-content", StringComparison.Ordinal) ? "HTTP/1.1 204 No Content\r\n\r\n"
                    : head.Contains("/not-modified", StringComparison.Ordinal) ? "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n"
                    : "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Made It\r\nContent-Length: 4\r\n\r\ndone");
            }
        });

        using var interim = await SendAsync(HttpMethod.Get, upstream.Port, "/interim");
        Assert.Equal(HttpStatusCode.Created, interim.StatusCode);
        Assert.Equal("Made It", interim.ReasonPhrase);
        Assert.Equal("done", await interim.Content.ReadAsStringAsync());

        using var head = await SendAsync(HttpMethod.Head, upstream.Port);
        Assert.Equal(1000, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var noContent = await SendAsync(HttpMethod.Get, upstream.Port, "/no-content");
        Assert.Equal(HttpStatusCode.NoContent, noContent.StatusCode);
        using var notModified = await SendAsync(HttpMethod.Get, upstream.Port, "/not-modified");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task Request_bodies_go_with_their_length_or_chunked()
    {
        await using var upstream = new ScriptedUpstream(async (_, connection) =>
        {
            while (await connection.ReadHeadAsync() is { } head)
            {
                var body = head.Contains("Transfer-Encoding: chunked", StringComparison.Ordinal)
                    ? await connection.ReadUntilAsync("0\r\n\r\n")
                    : await connection.ReadUntilAsync("12345");
                await connection.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
            }
        });

        using var sized = await SendAsync(HttpMethod.Post, upstream.Port, content: new StringContent("12345"));
        Assert.Equal("12345", await sized.Content.ReadAsStringAsync());
        Assert.Contains("Content-Length: 5\r\n", upstream.Requests[0]);

        using var unsized = await SendAsync(HttpMethod.Post, upstream.Port, content: new StreamContent(new UnseekableStream(Encoding.ASCII.GetBytes("abc"))));
        Assert.Equal("3\r\nabc\r\n0\r\n\r\n", await unsized.Content.ReadAsStringAsync());
        Assert.Equal(1, upstream.Accepted);
    }

    [Fact]
    public async Task An_upstream_that_closes_mid_response_fails_the_request_and_its_connection()
    {
        await using var upstream = new ScriptedUpstream(async (index, connection) =>
        {
            await connection.ReadHeadAsync();
            await connection.WriteAsync(index == 0 ? "HTTP/1.1 200 OK\r\nContent-Len" : "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly5");
        });

        var beforeHead = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(HttpMethod.Get, upstream.Port));
        Assert.Equal(HttpRequestError.ResponseEnded, beforeHead.HttpRequestError);

        using var response = await SendAsync(HttpMethod.Get, upstream.Port);
        await using var body = await response.Content.ReadAsStreamAsync();
        var inBody = await Assert.ThrowsAsync<HttpIOException>(() => body.CopyToAsync(Stream.Null));
        Assert.Equal(HttpRequestError.ResponseEnded, inBody.HttpRequestError);
        Assert.Equal(2, upstream.Accepted);
    }

    /// <summary>
    /// Connection 0 answers one request, then reads the next and closes without answering (the
    /// upstream's idle close racing the request); later connections answer "fresh".
    /// </summary>
    private static async Task StaleAfterFirstResponse(int index, ScriptedUpstream.UpstreamConnection connection)
    {
        await connection.ReadHeadAsync();
        if (index == 0)
        {
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
            await connection.ReadHeadAsync();
            return;
        }

        await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
    }

    [Fact]
    public async Task A_stale_pooled_connection_is_retried_on_a_new_one_for_a_request_without_body()
    {
        await using var upstream = new ScriptedUpstream(StaleAfterFirstResponse);

        using var first = await SendAsync(HttpMethod.Get, upstream.Port, "/a");
        Assert.Equal("first", await first.Content.ReadAsStringAsync());
        using var second = await SendAsync(HttpMethod.Get, upstream.Port, "/b");
        Assert.Equal("fresh", await second.Content.ReadAsStringAsync());
        Assert.Equal(2, upstream.Accepted);
    }

    [Fact]
    public async Task A_request_with_a_body_on_a_stale_connection_is_not_replayed()
    {
        await using var upstream = new ScriptedUpstream(StaleAfterFirstResponse);

        using var first = await SendAsync(HttpMethod.Get, upstream.Port, "/a");
        Assert.Equal("first", await first.Content.ReadAsStringAsync());

        // If the pool noticed the close before reusing, the POST goes on a new connection and
        // succeeds; if it went out on the closed one, it fails instead of being sent twice.
        try
        {
            using var post = await SendAsync(HttpMethod.Post, upstream.Port, "/b", new StringContent("body"));
            Assert.Equal("fresh", await post.Content.ReadAsStringAsync());
            Assert.Equal(2, upstream.Accepted);
        }
        catch (HttpRequestException e)
        {
            Assert.Equal(HttpRequestError.ResponseEnded, e.HttpRequestError);
            Assert.Equal(1, upstream.Accepted);
        }
    }

    [Fact]
    public async Task A_response_not_read_to_its_end_closes_its_connection()
    {
        await using var upstream = new ScriptedUpstream(Serve(_ => "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"));

        using (var partial = await SendAsync(HttpMethod.Get, upstream.Port))
        {
            await using var stream = await partial.Content.ReadAsStreamAsync();
            Assert.Equal(4, await stream.ReadAsync(new byte[4]));
        }

        using var next = await SendAsync(HttpMethod.Get, upstream.Port);
        Assert.Equal("0123456789", await next.Content.ReadAsStringAsync());
        Assert.Equal(2, upstream.Accepted);
    }

    [Fact]
    public async Task A_refused_connection_is_a_connection_error()
    {
        int port;
        await using (var closed = new ScriptedUpstream((_, _) => Task.CompletedTask))
        {
            port = closed.Port;
        }

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(HttpMethod.Get, port));
        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
    }

    [Fact]
    public async Task Malformed_responses_are_errors_not_guesses()
    {
        await using var upstream = new ScriptedUpstream(async (index, connection) =>
        {
            await connection.ReadHeadAsync();
            await connection.WriteAsync(index switch
            {
                0 => "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                1 => "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
                _ => "ICY 200 OK\r\n\r\n",
            });
        });

        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(HttpMethod.Get, upstream.Port));
            Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        }
    }

    [Fact]
    public void Requests_that_need_HttpClient_features_go_to_HttpClient()
    {
        static HttpRequestMessage Request(Action<HttpRequestMessage> shape)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/") { Version = HttpVersion.Version11 };
            shape(request);
            return request;
        }

        Assert.False(MeshHttp1Handler.NeedsHttpClient(Request(_ => { })));
        Assert.True(MeshHttp1Handler.NeedsHttpClient(Request(r => r.Version = HttpVersion.Version20)));
        Assert.True(MeshHttp1Handler.NeedsHttpClient(Request(r => r.Headers.TryAddWithoutValidation("Upgrade", "websocket"))));
        Assert.True(MeshHttp1Handler.NeedsHttpClient(Request(r => r.Headers.ExpectContinue = true)));
        Assert.True(MeshHttp1Handler.NeedsHttpClient(Request(r => r.Method = HttpMethod.Connect)));
    }

    /// <summary>A body of unknown length: StreamContent cannot compute it, so it goes chunked.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
