namespace Samples.Shared;

/// <summary>Invalid settings of a sample: the message names the setting and says what is wrong; no stack trace is shown.</summary>
internal sealed class SampleConfigurationException(string message) : Exception(message);
