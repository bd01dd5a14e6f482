using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// <c>POST /explain</c> on the admin listener: the body is an <see cref="ExplainRequest"/>, the answer
/// what this proxy would do with it (docs/explain.md). Bad input is a 400 naming the field.
/// </summary>
internal sealed class ExplainEndpoint(RequestExplainerEngine engine)
{
    public const string Path = "/explain";

    public async Task WriteAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }

        using var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (body.Length + read > ExplainRequest.MaxBodyBytes)
            {
                await Error(context, StatusCodes.Status413PayloadTooLarge, $"the explain request is larger than {ExplainRequest.MaxBodyBytes} bytes");
                return;
            }

            body.Write(buffer, 0, read);
        }

        ExplainContext explanation;
        try
        {
            explanation = await engine.ExplainAsync(ExplainRequest.Parse(body.ToArray()));
        }
        catch (ExplainInputException ex)
        {
            await Error(context, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(ExplainJson.Write(explanation), context.RequestAborted);
    }

    private static Task Error(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(ExplainJson.Error(message)).AsTask();
    }
}
