using System.Globalization;

namespace Bookinfo.Details;

/// <summary>
/// Makes this one details instance answer every request with an error status, for the
/// load-balancing tutorial (docs/traffic-management.md): with several replicas, failing one lets
/// you watch outlier detection eject it and bring it back. Switched on at start with
/// <c>BOOKINFO_FAIL=503</c>, or at run time with <c>PUT /admin/fail?status=503&amp;seconds=60</c>
/// (<c>DELETE /admin/fail</c> ends it). The health endpoints stay healthy on purpose: a replica
/// that fails its probes is taken out by Aspire or Kubernetes, which would hide what the mesh does.
/// </summary>
internal sealed class DetailsFailureSwitch(TimeProvider time)
{
    public const string EnvironmentVariable = "BOOKINFO_FAIL";
    public const int DefaultStatus = 503;
    public const int MaxSeconds = 86400;

    private readonly Lock _lock = new();
    private DetailsFailure? _failure;

    /// <summary>The failure in force, or null; one that was set for a time ends by itself.</summary>
    public DetailsFailure? Current
    {
        get
        {
            lock (_lock)
            {
                if (_failure?.Until is { } until && time.GetUtcNow() >= until)
                {
                    _failure = null;
                }

                return _failure;
            }
        }
    }

    /// <param name="duration">How long; until <see cref="Recover"/> when null.</param>
    public DetailsFailure Fail(int status, TimeSpan? duration)
    {
        if (!IsFailureStatus(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, StatusError);
        }

        var failure = new DetailsFailure(status, duration is { } d ? time.GetUtcNow() + d : null);
        lock (_lock)
        {
            _failure = failure;
        }

        return failure;
    }

    public void Recover()
    {
        lock (_lock)
        {
            _failure = null;
        }
    }

    public const string StatusError = "status must be a number from 400 to 599";

    public static bool IsFailureStatus(int status) => status is >= 400 and <= 599;

    /// <summary>Null for an unset or empty <c>BOOKINFO_FAIL</c>; false for anything but a status 400-599.</summary>
    public static bool TryParseStatus(string? text, out int? status)
    {
        status = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && IsFailureStatus(value))
        {
            status = value;
            return true;
        }

        return false;
    }
}

/// <summary>A failure in force: the status every request gets, until a time or until switched off.</summary>
internal sealed record DetailsFailure(int Status, DateTimeOffset? Until);
