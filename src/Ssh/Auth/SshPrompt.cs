namespace Gateway.Ssh.Auth;

/// <summary>One keyboard-interactive prompt (RFC 4256 §3.2).</summary>
public sealed record SshPrompt(string Text, bool Echo);

/// <summary>One INFO_REQUEST as the client role sees it.</summary>
public sealed record KeyboardInteractivePrompt(string Name, string Instruction, string Language, IReadOnlyList<SshPrompt> Prompts);
