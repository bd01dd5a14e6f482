using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using static Samples.ExtAuthz.ExtAuthzDecision;

namespace Samples.ExtAuthz;

/// <summary>
/// Envoy's HTTP check API as Istio's sample serves it: any method and path; allowed (200, no
/// body) when <c>x-ext-authz: allow</c>, otherwise 403 with Istio's text body. Both carry
/// <c>x-ext-authz-check-result</c>, <c>x-ext-authz-check-received</c> (a dump of the check
/// request in Go's format) and <c>x-ext-authz-additional-header-override</c> (the request's own
/// value, empty when absent).
/// </summary>
internal sealed class HttpCheckHandler(ILogger<HttpCheckHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await ReadBodyAsync(context);
        var received = GoRequestDump.Format(context, body);
        var allowed = request.Headers[CheckHeader].FirstOrDefault() == AllowedValue;
        ExtAuthzLog.HttpCheck(logger, allowed ? ResultAllowed : ResultDenied, received);

        var response = context.Response;
        response.Headers[GoHeaders.Canonical(ResultHeader)] = allowed ? ResultAllowed : ResultDenied;
        response.Headers[GoHeaders.Canonical(OverrideHeader)] = request.Headers[OverrideHeader].FirstOrDefault() ?? "";
        response.Headers[GoHeaders.Canonical(ReceivedHeader)] = GoHeaders.SanitizeValue(received);
        if (allowed)
        {
            response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        response.StatusCode = StatusCodes.Status403Forbidden;
        // Go sniffs the body's type; for this text it is always this.
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = DenyBody.Length;
        await response.WriteAsync(DenyBody, context.RequestAborted);
    }

    /// <summary>
    /// The body as Go's <c>string(body)</c> would print: bytes as they came (decoded Latin-1, one
    /// char per byte, so they go back out unchanged), or "&lt;too-long&gt;" past 60000 bytes. The
    /// rest of a long body is read and dropped, not held. A failed read is logged and the check
    /// goes on with what arrived, as in Istio's server.
    /// </summary>
    private async Task<string> ReadBodyAsync(HttpContext context)
    {
        // Istio's server reads bodies of any size; memory stays bounded here regardless.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var kept = new ArrayBufferWriter<byte>();
        long total = 0;
        var reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                foreach (var segment in result.Buffer)
                {
                    var room = MaxDumpLength + 1 - kept.WrittenCount;
                    if (room > 0)
                    {
                        kept.Write(segment.Span[..Math.Min(room, segment.Length)]);
                    }
                }

                total += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            ExtAuthzLog.BodyReadFailed(logger, e.Message);
        }

        return total > MaxDumpLength ? TooLong : Encoding.Latin1.GetString(kept.WrittenSpan);
    }
}
