namespace Gateway.Node.SshSessions;

/// <summary>One line of a session's status, as posted (already sanitized), with its UTC time.</summary>
/// <param name="Connection">a connection opened or closed: the TUI shows these in its table, not in its log</param>
public sealed record StatusLine(DateTime At, string Text, bool Connection = false);
