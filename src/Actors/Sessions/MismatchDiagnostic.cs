namespace Gateway.Actors.Sessions;

/// <summary>
/// Explains a forward whose client side did not behave as its request said: the two classic
/// mistakes are a static request (<c>-R name:443:host:port</c> style) from a client that expects
/// the gateway to speak SOCKS, and a dynamic request (<c>-R 0</c>) from a client that forwards to a
/// fixed local port. Texts follow the reference implementation so that users find them documented.
/// </summary>
public sealed record MismatchDiagnostic(string Message, IReadOnlyList<string> Hints)
{
    public const string ExpectingDynamic = "ssh client may be expecting dynamic port-forwarding";
    public const string ExpectingStatic = "ssh client may be expecting static port-forwarding";

    /// <param name="permission">the forward that served the channel</param>
    /// <param name="route">the route being served</param>
    /// <param name="upstream">the <c>to</c> address chosen for the channel (host:port)</param>
    public static MismatchDiagnostic ForStaticExpectingDynamic(ForwardPermission permission, RouteAddress route, string upstream)
    {
        var host = permission.Pattern.Text;
        var p = permission.RequestedPort;
        var s = permission.ServerPort;
        if (host == "localhost")
            return new(ExpectingDynamic, [$"request port 0 instead of {p} (ex: '-R 0')", $"or, specify a local host:port (ex: '-R {s}:{upstream}')"]);
        var hints = new List<string> { $"request port 0 instead of {p} (ex: '-R {host}:0')" };
        if (!permission.Pattern.HasWildcard) hints.Add($"or, specify a local host:port (ex: '-R {host}:{s}:{upstream}')");
        return new(ExpectingDynamic, hints);
    }

    public static MismatchDiagnostic ForDynamicExpectingStatic(ForwardPermission permission, RouteAddress route, string upstream)
    {
        var host = permission.Pattern.Text;
        if (host == "localhost")
            return new(ExpectingStatic, ["when requesting port 0, do not specify a local host:port (ex: '-R 0')", $"or, request port {route.Port} directly and provide a hostname (ex: '-R {route.Hostname}:{route.Port}:{upstream}')"]);
        var hints = new List<string> { $"when requesting port 0, do not specify a local host:port (ex: '-R {host}:0')" };
        if (!permission.Pattern.HasWildcard) hints.Add($"or, request port {route.Port} directly (ex: '-R {route.Hostname}:{route.Port}:{upstream}')");
        return new(ExpectingStatic, hints);
    }

    /// <summary>The plain-text rendering used in the status stream and the log; <paramref name="suffix"/> follows the message (a repeat count).</summary>
    public string Render(string suffix = "") => string.Join('\n', new[] { $"warning: {Message}{suffix}" }.Concat(Hints.Select(h => $"   hint: {h}")));
}
