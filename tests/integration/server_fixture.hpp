#pragma once

// A running HttpServer with a route table that exercises every kind of handler.

#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/server/http_server.hpp"
#include "core/server/router.hpp"

namespace keyhop::server::testing {

class ServerFixture {
 public:
  explicit ServerFixture(ServerOptions options = defaultOptions()) : server_(build(), options) {
    server_.start();
  }

  ~ServerFixture() {
    for (auto& thread : later_) thread.join();
  }

  static ServerOptions defaultOptions() {
    ServerOptions options;
    options.reactor_threads = 2;
    options.worker_threads = 4;
    return options;
  }

  HttpServer& server() { return server_; }
  std::uint16_t port() const { return server_.port(); }

  // Thread ids seen by reactor and worker handlers.
  std::set<std::thread::id> reactorThreads() {
    std::lock_guard<std::mutex> lock(mutex_);
    return reactor_threads_;
  }
  std::set<std::thread::id> workerThreads() {
    std::lock_guard<std::mutex> lock(mutex_);
    return worker_threads_;
  }

 private:
  void seen(std::set<std::thread::id>& threads) {
    std::lock_guard<std::mutex> lock(mutex_);
    threads.insert(std::this_thread::get_id());
  }

  const Router& build() {
    router_
        .add(
            "GET", "/hello",
            [this](const Request&) {
              seen(reactor_threads_);
              return Response::text(200, "hello");
            },
            RunOn::Reactor)
        .add("GET", "/work/{id}",
             [this](const Request& request) {
               seen(worker_threads_);
               return Response::text(200, "worker " + request.params.at("id"));
             })
        .add(
            "*", "/echo/{name}/{rest...}",
            [](const Request& request) {
              std::string body = request.method + " " + request.params.at("name") + " [" +
                                 request.params.at("rest") +
                                 "] q=" + request.queryParam("q").value_or("-") +
                                 " target=" + request.target + " from=" + request.remote_address;
              return Response::text(200, body);
            },
            RunOn::Reactor)
        .add("POST", "/body",
             [](const Request& request) {
               Response response = Response::text(200, request.body);
               const std::string* type = request.header("content-type");
               response.headers.push_back({"X-Seen-Type", type ? *type : "-"});
               return response;
             })
        .add(
            "GET", "/headers",
            [](const Request& request) {
              std::string values;
              for (const auto& header : request.headers) {
                if (equalsIgnoreCase(header.name, "X-Multi")) values += header.value + ";";
              }
              Response response = Response::text(200, values);
              response.headers.push_back({"Set-Cookie", "a=1"});
              response.headers.push_back({"Set-Cookie", "b=2"});
              return response;
            },
            RunOn::Reactor)
        .add(
            "GET", "/throw",
            [](const Request&) -> Response { throw std::runtime_error("secret-token-123 leaked"); })
        .add(
            "GET", "/throw-reactor",
            [](const Request&) -> Response { throw std::runtime_error("secret-token-456 leaked"); },
            RunOn::Reactor)
        .add(
            "GET", "/async-later",
            [this](Request&& request, Responder respond) {
              std::lock_guard<std::mutex> lock(mutex_);
              later_.emplace_back([respond, target = request.target] {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                respond(Response::text(200, "later " + target));
              });
            },
            RunOn::Reactor)
        .add(
            "GET", "/async-inline",
            [](Request&& request, Responder respond) {
              respond(Response::text(200, "inline " + request.path));
              respond(Response::text(500, "ignored"));
            },
            RunOn::Reactor)
        .add("GET", "/async-worker",
             [](Request&&, Responder respond) { respond(Response::json(201, "{}")); })
        .add(
            "GET", "/async-drop", [](Request&&, Responder) {}, RunOn::Reactor)
        .add("GET", "/async-throw",
             [](Request&&, Responder) { throw std::runtime_error("secret-token-789"); })
        .add("GET", "/stream-pieces",
             [](Request&&, ResponseStream& stream) {
               stream.sendHead(201, "Made", {{"X-Pieces", "2"}}, 10, true);
               stream.sendBody("hello");
               stream.sendBody("world");
               stream.end();
             })
        .add("GET", "/stream-whole",
             [](Request&&, ResponseStream& stream) { stream.fail(Response::text(418, "whole")); })
        .add("GET", "/stream-throw",
             [](Request&&, ResponseStream&) { throw std::runtime_error("secret-token-999"); })
        .add("GET", "/sleep/{ms}",
             [](const Request& request) {
               std::this_thread::sleep_for(
                   std::chrono::milliseconds(std::stoi(request.params.at("ms"))));
               return Response::text(200, "slept " + request.params.at("ms"));
             })
        .add(
            "GET", "/status/{code}",
            [](const Request& request) {
              Response response = Response::text(std::stoi(request.params.at("code")), "body");
              if (request.queryParam("close")) response.headers.push_back({"Connection", "close"});
              return response;
            },
            RunOn::Reactor)
        .add(
            "GET", "/big/{bytes}",
            [](const Request& request) {
              return Response::text(200, std::string(std::stoul(request.params.at("bytes")), 'x'));
            },
            RunOn::Reactor);
    return router_;
  }

  std::mutex mutex_;
  std::set<std::thread::id> reactor_threads_;
  std::set<std::thread::id> worker_threads_;
  Router router_;
  HttpServer server_;
  std::vector<std::thread> later_;  // joined before the server stops
};

}  // namespace keyhop::server::testing
