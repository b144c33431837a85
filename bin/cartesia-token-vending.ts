#!/usr/bin/env node
import { createCartesiaTokenApp } from '../lib/cartesia-token-app';

createCartesiaTokenApp();
