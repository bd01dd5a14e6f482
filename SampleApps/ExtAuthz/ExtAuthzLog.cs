namespace Samples.ExtAuthz;

/// <summary>Istio's server log lines, word for word (its task reads them to show which checks ran).</summary>
internal static partial class ExtAuthzLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Starting {Server} server at {Endpoint}")]
    public static partial void Starting(ILogger logger, string server, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "[{Api}][{Result}]: {Host}{Path}, attributes: {Attributes}")]
    public static partial void GrpcCheck(ILogger logger, string api, string result, string host, string path, string attributes);

    [LoggerMessage(Level = LogLevel.Information, Message = "[HTTP][{Result}]: {Request}")]
    public static partial void HttpCheck(ILogger logger, string result, string request);

    [LoggerMessage(Level = LogLevel.Warning, Message = "[HTTP] read body failed: {Reason}")]
    public static partial void BodyReadFailed(ILogger logger, string reason);
}
