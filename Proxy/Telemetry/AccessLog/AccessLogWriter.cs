using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Telemetry.AccessLog;

/// <summary>
/// Drains the access log queue in the background and writes each entry as a structured log
/// record (category <c>Mesh.Proxy.AccessLog</c>), which OpenTelemetry exports over OTLP. The
/// record carries the request's trace id, so the dashboard links the log line to its trace.
/// </summary>
internal sealed class AccessLogWriter : BackgroundService
{
    public const string Category = "Mesh.Proxy.AccessLog";
    private static readonly EventId AccessLogEvent = new(1, "AccessLog");

    private readonly AccessLogQueue _queue;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private long _reportedDropped;

    public AccessLogWriter(AccessLogQueue queue, ILoggerFactory loggers, TimeProvider time)
        : this(queue, loggers, time, TimeSpan.FromMilliseconds(100))
    {
    }

    internal AccessLogWriter(AccessLogQueue queue, ILoggerFactory loggers, TimeProvider time, TimeSpan interval)
    {
        _queue = queue;
        _logger = loggers.CreateLogger(Category);
        _time = time;
        _interval = interval;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Drain();
                await Task.Delay(_interval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // What the last requests before shutdown left in the queue.
        Drain();
    }

    internal void Drain()
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            while (_queue.TryDequeue(out _))
            {
            }

            return;
        }

        while (_queue.TryDequeue(out var entry))
        {
            Write(entry);
        }

        var dropped = _queue.Dropped;
        if (dropped != _reportedDropped)
        {
            TelemetryLog.AccessLogsDropped(_logger, dropped - _reportedDropped, dropped);
            _reportedDropped = dropped;
        }
    }

    private void Write(in AccessLogEntry entry)
    {
        // The log record takes its trace context from Activity.Current: give it the request's trace.
        Activity? scope = null;
        if (entry.TraceId != default)
        {
            scope = new Activity("mesh.access_log");
            scope.SetParentId(entry.TraceId, entry.SpanId, entry.TraceSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
            scope.Start();
        }

        try
        {
            _logger.Log(LogLevel.Information, AccessLogEvent, new AccessLogRecord(entry), null, AccessLogRecord.Format);
        }
        finally
        {
            scope?.Stop();
        }
    }
}
