namespace Bookinfo.Details;

/// <summary>Bound from configuration: <c>BOOKINFO_FAIL</c> (see <see cref="DetailsFailureSwitch"/>).</summary>
internal sealed class DetailsOptions
{
    /// <summary>An HTTP status (400-599) every request gets from the start; unset or empty: none.</summary>
    public string? Fail { get; set; }
}
