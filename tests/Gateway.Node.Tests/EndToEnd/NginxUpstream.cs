using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Real nginx (Debian's build) as a user's local file server: <c>nginx -c &lt;conf&gt; -g 'daemon off;'</c>
/// on a free loopback port, every path (pid, logs, temp dirs, document root) inside the test's
/// directory. The access log records nginx's connection serial number per request, so tests can
/// count the upstream TCP connections that carried their requests.
/// </summary>
public sealed class NginxUpstream : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _accessLog;

    private NginxUpstream(ExternalProcess process, int port, string root, string accessLog)
    {
        _process = process;
        Port = port;
        Root = root;
        _accessLog = accessLog;
    }

    public int Port { get; }

    /// <summary>The document root; files written here are served at their name, and PUT /upload/x stores upload/x here.</summary>
    public string Root { get; }

    public string Url => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}");

    public static async Task<NginxUpstream> StartAsync(TempDirectory dir)
    {
        var home = Path.Combine(dir.Path, "nginx-" + Guid.NewGuid().ToString("N")[..6]);
        var root = Path.Combine(home, "www");
        Directory.CreateDirectory(root);
        var port = LoopbackPorts.Reserve();
        var accessLog = Path.Combine(home, "access.log");
        // Running as root, nginx would hand requests to "nobody", who cannot enter the private temp directory.
        var user = Environment.UserName == "root" ? "user root;" : "";
        var conf = $$"""
            {{user}}
            worker_processes 1;
            pid {{home}}/nginx.pid;
            error_log {{home}}/error.log warn;
            events { worker_connections 128; }
            http {
              log_format conn '$connection $status $body_bytes_sent $request_uri';
              access_log {{accessLog}} conn;
              client_body_temp_path {{home}}/client_body;
              proxy_temp_path {{home}}/proxy;
              fastcgi_temp_path {{home}}/fastcgi;
              uwsgi_temp_path {{home}}/uwsgi;
              scgi_temp_path {{home}}/scgi;
              sendfile on;
              keepalive_timeout 120s;
              keepalive_requests 10000;
              default_type application/octet-stream;
              client_max_body_size 0;
              server {
                listen 127.0.0.1:{{port}};
                root {{root}};
                # PUT stores uploads in the document root (the DAV module), so a test can check them.
                location /upload/ { dav_methods PUT; create_full_put_path on; }
              }
            }
            """;
        var confPath = Path.Combine(home, "nginx.conf");
        await File.WriteAllTextAsync(confPath, conf);
        var process = ExternalProcess.Start("nginx", ["-e", Path.Combine(home, "error.log"), "-c", confPath, "-g", "daemon off;"]);
        var nginx = new NginxUpstream(process, port, root, accessLog);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return nginx;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        var errors = File.Exists(Path.Combine(home, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(home, "error.log")) : "";
        await nginx.DisposeAsync();
        throw new InvalidOperationException($"nginx did not start: {process.Stderr}\n{errors}");
    }

    /// <summary>Access log lines written so far: connection serial, status, body bytes, URI.</summary>
    public IReadOnlyList<(long Connection, int Status, long Bytes, string Uri)> AccessLog()
    {
        if (!File.Exists(_accessLog)) return [];
        return File.ReadAllLines(_accessLog)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', 4))
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), f[3]))
            .ToList();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
