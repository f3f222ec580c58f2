using System.Text.RegularExpressions;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>What <c>ssh -v</c> logs about its channels: each one it creates ("channel N: new") and frees ("channel N: free").</summary>
public static partial class SshChannelLog
{
    public static int Created(string stderr) => New().Matches(stderr).Count;

    public static int Freed(string stderr) => Free().Matches(stderr).Count;

    /// <summary>Channels created and not freed yet.</summary>
    public static int Open(string stderr) => Created(stderr) - Freed(stderr);

    [GeneratedRegex(@"debug1: channel \d+: new ")]
    private static partial Regex New();

    [GeneratedRegex(@"debug1: channel \d+: free")]
    private static partial Regex Free();
}
