using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Telemetry.AccessLog;

internal static partial class TelemetryLog
{
    [LoggerMessage(1, LogLevel.Warning, "Dropped {Count} access log entries (the writer fell behind; {Total} dropped since start).")]
    public static partial void AccessLogsDropped(ILogger logger, long count, long total);

    [LoggerMessage(2, LogLevel.Information, "Exporting proxy telemetry over OTLP to {Endpoint} (traces of source {Source}, metrics of meter {Meter}, logs).")]
    public static partial void ExportingOtlp(ILogger logger, string endpoint, string source, string meter);
}
