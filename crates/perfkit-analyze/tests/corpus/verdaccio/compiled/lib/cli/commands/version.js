"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.VersionCommand = void 0;
var _clipanion = require("clipanion");
const pkgVersion = "6.8.0" || 'dev';
class VersionCommand extends _clipanion.Command {
  static paths = [[`--version`], [`-v`]];
  async execute() {
    this.context.stdout.write(`v${pkgVersion}\n`);
    process.exit(0);
  }
}
exports.VersionCommand = VersionCommand;
