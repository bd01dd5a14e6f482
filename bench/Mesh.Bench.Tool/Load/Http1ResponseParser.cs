using System.Buffers.Text;

namespace Mesh.Bench.Tool.Load;

/// <summary>
/// Incremental HTTP/1.1 response parser for the load generator: finds where each response ends
/// (Content-Length, chunked or close-delimited bodies) and reports status, body size and whether
/// the server will close the connection. Headers other than the framing ones are skipped.
/// </summary>
public sealed class Http1ResponseParser
{
    private State _state = State.Headers;
    private long _remaining;
    private bool _closeDelimited;

    private enum State
    {
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
    }

    public int StatusCode { get; private set; }

    public long BodyBytes { get; private set; }

    public bool ConnectionClose { get; private set; }

    /// <summary>True when the body runs until the server closes the connection (no length, no chunking).</summary>
    public bool IsCloseDelimited => _closeDelimited;

    /// <summary>
    /// Consumes bytes of <paramref name="data"/>; returns true when one whole response was read,
    /// with <paramref name="consumed"/> bytes used (the rest belongs to the next response).
    /// </summary>
    public bool TryParse(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            var rest = data[consumed..];
            switch (_state)
            {
                case State.Headers:
                {
                    var end = rest.IndexOf("\r\n\r\n"u8);
                    if (end < 0)
                    {
                        return false;
                    }

                    ParseHead(rest[..(end + 2)]);
                    consumed += end + 4;
                    if (_state == State.Headers)
                    {
                        // Bodiless response (204/304 or Content-Length: 0).
                        return true;
                    }

                    break;
                }

                case State.Body:
                {
                    if (_closeDelimited)
                    {
                        BodyBytes += rest.Length;
                        consumed += rest.Length;
                        return false;
                    }

                    var take = (int)Math.Min(_remaining, rest.Length);
                    consumed += take;
                    _remaining -= take;
                    BodyBytes += take;
                    if (_remaining > 0)
                    {
                        return false;
                    }

                    _state = State.Headers;
                    return true;
                }

                case State.ChunkSize:
                {
                    var end = rest.IndexOf("\r\n"u8);
                    if (end < 0)
                    {
                        return false;
                    }

                    var line = rest[..end];
                    var semicolon = line.IndexOf((byte)';');
                    if (semicolon >= 0)
                    {
                        line = line[..semicolon];
                    }

                    if (!Utf8Parser.TryParse(line.Trim(" \t"u8), out long size, out _, 'x'))
                    {
                        throw new InvalidDataException("malformed chunk size");
                    }

                    consumed += end + 2;
                    _remaining = size;
                    _state = size == 0 ? State.Trailers : State.ChunkData;
                    break;
                }

                case State.ChunkData:
                {
                    var take = (int)Math.Min(_remaining, rest.Length);
                    consumed += take;
                    _remaining -= take;
                    BodyBytes += take;
                    if (_remaining > 0)
                    {
                        return false;
                    }

                    _state = State.ChunkDataEnd;
                    break;
                }

                case State.ChunkDataEnd:
                {
                    if (rest.Length < 2)
                    {
                        return false;
                    }

                    consumed += 2;
                    _state = State.ChunkSize;
                    break;
                }

                case State.Trailers:
                {
                    var end = rest.IndexOf("\r\n"u8);
                    if (end < 0)
                    {
                        return false;
                    }

                    consumed += end + 2;
                    if (end == 0)
                    {
                        _state = State.Headers;
                        return true;
                    }

                    break;
                }
            }
        }
    }

    /// <summary>Resets per-response fields; call before the bytes of the next response.</summary>
    public void Reset()
    {
        _state = State.Headers;
        StatusCode = 0;
        BodyBytes = 0;
        ConnectionClose = false;
        _closeDelimited = false;
        _remaining = 0;
    }

    private void ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8)
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("malformed status line");
        }

        StatusCode = status;
        var http10 = statusLine[7] == (byte)'0';
        ConnectionClose = http10;
        long? length = null;
        var chunked = false;
        var headers = head[(lineEnd + 2)..];
        while (headers.Length > 0)
        {
            var end = headers.IndexOf("\r\n"u8);
            var line = end < 0 ? headers : headers[..end];
            headers = end < 0 ? default : headers[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (name.EqualsIgnoreCase("content-length"u8))
            {
                length = Utf8Parser.TryParse(value, out long n, out _) ? n : throw new InvalidDataException("malformed Content-Length");
            }
            else if (name.EqualsIgnoreCase("transfer-encoding"u8))
            {
                chunked = value.EndsWithIgnoreCase("chunked"u8);
            }
            else if (name.EqualsIgnoreCase("connection"u8))
            {
                ConnectionClose = value.EqualsIgnoreCase("close"u8) || (http10 && !value.EqualsIgnoreCase("keep-alive"u8));
            }
        }

        if (status is 204 or 304 || (status >= 100 && status < 200))
        {
            _state = State.Headers;
        }
        else if (chunked)
        {
            _state = State.ChunkSize;
        }
        else if (length is { } n)
        {
            _remaining = n;
            _state = n == 0 ? State.Headers : State.Body;
        }
        else
        {
            _closeDelimited = true;
            ConnectionClose = true;
            _state = State.Body;
        }
    }
}
